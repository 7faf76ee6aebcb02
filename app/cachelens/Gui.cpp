#include "app/cachelens/Gui.h"

#include "app/cachelens/ConnectionManager.h"
#include "ui/ConnectionListModel.h"
#include "ui/MainWindow.h"
#include "ui/simulate/SimulatePanel.h"

namespace cachelens::app {

Gui::Gui()
    : m_model(std::make_unique<ui::ConnectionListModel>()),
      m_connections(std::make_unique<ConnectionManager>(m_model.get()))
{
    m_connections->loadProfiles();
    m_window = std::make_unique<ui::MainWindow>(m_connections.get());
    if (auto* simulate = qobject_cast<ui::SimulatePanel*>(m_window->panel(QStringLiteral("simulate"))))
        simulate->setLocalEngine(m_connections->localCache());   // Record… records its access tap
}

Gui::~Gui()
{
    m_window.reset();
    m_connections.reset();
}

} // namespace cachelens::app
