#include "ui/Icons.h"

// Q_INIT_RESOURCE must sit outside any namespace. Calling it from the functions that hand out icons makes the
// linker keep the resources of this static library in every executable that shows one.
static void initIconResources()
{
    static const bool done = [] {
        Q_INIT_RESOURCE(cachelens);
        return true;
    }();
    Q_UNUSED(done);
}

namespace cachelens::ui {

QIcon themedIcon(const char* themeName, const char* resourceName)
{
    initIconResources();
    const QIcon fallback(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(resourceName)));
    return themeName ? QIcon::fromTheme(QLatin1String(themeName), fallback) : fallback;
}

QIcon appIcon()
{
    initIconResources();
    return QIcon(QStringLiteral(":/icons/cachelens.svg"));
}

} // namespace cachelens::ui
