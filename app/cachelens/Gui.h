#pragma once
// Gui: the GUI's composition root. It makes the connections (ConnectionManager: the local engine and its demo data,
// the Redis sources on worker threads, the demos, the saved profiles and their secrets) and the main window over
// them, and hands the Simulate panel the local engine whose access tap it records. main.cpp adds the command line;
// tests make one to drive the whole window.
#include <memory>

namespace cachelens::ui {
class ConnectionListModel;
class MainWindow;
}

namespace cachelens::app {

class ConnectionManager;

class Gui
{
public:
    Gui();
    ~Gui();   // the window (and every panel holding a source) goes before the sources do
    Gui(const Gui&) = delete;
    Gui& operator=(const Gui&) = delete;

    ui::MainWindow& window() { return *m_window; }
    ConnectionManager& connections() { return *m_connections; }

private:
    std::unique_ptr<ui::ConnectionListModel> m_model;
    std::unique_ptr<ConnectionManager> m_connections;
    std::unique_ptr<ui::MainWindow> m_window;
};

} // namespace cachelens::app
