#pragma once
// A big-number tile above the charts: a caption, the current value and its change against a reference time.
#include <QFrame>

class QLabel;

namespace cachelens::ui {

class StatTile : public QFrame
{
    Q_OBJECT
public:
    explicit StatTile(const QString& caption, QWidget* parent = nullptr);

    void setValue(const QString& value, const QString& change, const QString& changeCaption);
    QString value() const;
    QString change() const;

private:
    QLabel* m_caption;
    QLabel* m_value;
    QLabel* m_change;
};

} // namespace cachelens::ui
