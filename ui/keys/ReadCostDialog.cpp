#include "ui/keys/ReadCostDialog.h"

#include "connectors/Source.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace cachelens::ui {

ReadCostDialog::ReadCostDialog(const QString& question, quint64 keys, const Source* source, const QString& goText,
                               QWidget* parent)
    : ReadCostDialog(question, keys, source, source ? source->detailCost() : DetailCost{}, goText, parent)
{
}

ReadCostDialog::ReadCostDialog(const QString& question, quint64 keys, const Source* source, DetailCost cost,
                               const QString& goText, QWidget* parent)
    : QDialog(parent), m_text(question + QLatin1Char(' ') + costText(keys, source, cost))
{
    setObjectName(QStringLiteral("readCostDialog"));
    setWindowTitle(tr("Read many keys"));
    auto* label = new QLabel(m_text, this);
    label->setObjectName(QStringLiteral("readCost"));
    label->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(goText);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(label);
    layout->addWidget(buttons);
}

QString ReadCostDialog::costText(quint64 keys, const Source* source)
{
    return costText(keys, source, source ? source->detailCost() : DetailCost{});
}

QString ReadCostDialog::costText(quint64 keys, const Source* source, DetailCost cost)
{
    const QLocale locale;
    if (cost.commandsPerKey == 0)
        return tr("It reads %1 keys; that changes none of the statistics of %2.")
            .arg(locale.toString(keys), source ? source->displayName() : QString());
    return tr("It reads %1 keys: %2 commands, about %3 keyspace hits on the server, which its hit rate counts "
              "(CacheLens's Dashboard takes them out).")
        .arg(locale.toString(keys), locale.toString(keys * quint64(cost.commandsPerKey)),
             locale.toString(keys * quint64(cost.lookupsPerKey)));
}

QString ReadCostDialog::sentText(quint64 keys, const Source* source)
{
    return sentText(keys, source ? source->detailCost() : DetailCost{});
}

QString ReadCostDialog::sentText(quint64 keys, DetailCost cost)
{
    if (cost.commandsPerKey == 0)
        return {};
    const QLocale locale;
    return tr(" with %1 commands, %2 of them keyspace lookups")
        .arg(locale.toString(keys * quint64(cost.commandsPerKey)), locale.toString(keys * quint64(cost.lookupsPerKey)));
}

} // namespace cachelens::ui
