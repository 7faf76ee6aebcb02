// The one formatter for sizes and durations: binary units, one duration style, numbers in the locale given.
#include "connectors/support/Units.h"

#include <QtTest>

#include <limits>

using namespace cachelens;

class TstUnits : public QObject {
    Q_OBJECT

private slots:
    void sizesUseBinaryUnits_data()
    {
        QTest::addColumn<qint64>("bytes");
        QTest::addColumn<int>("precision");
        QTest::addColumn<QString>("english");
        QTest::addColumn<QString>("german");
        QTest::addRow("zero") << qint64(0) << 1 << QStringLiteral("0 B") << QStringLiteral("0 B");
        QTest::addRow("bytes below a KiB") << qint64(1023) << 1 << QStringLiteral("1,023 B") << QStringLiteral("1.023 B");
        QTest::addRow("exactly a KiB") << qint64(1024) << 1 << QStringLiteral("1.0 KiB") << QStringLiteral("1,0 KiB");
        QTest::addRow("a KiB and a half") << qint64(1536) << 1 << QStringLiteral("1.5 KiB") << QStringLiteral("1,5 KiB");
        QTest::addRow("5 MiB") << qint64(5) * 1024 * 1024 << 1 << QStringLiteral("5.0 MiB") << QStringLiteral("5,0 MiB");
        QTest::addRow("5 MiB, two decimals") << qint64(5) * 1024 * 1024 << 2 << QStringLiteral("5.00 MiB")
                                             << QStringLiteral("5,00 MiB");
        QTest::addRow("just under a MiB rounds up to the next unit")
            << qint64(1024) * 1024 - 1 << 1 << QStringLiteral("1.0 MiB") << QStringLiteral("1,0 MiB");
        QTest::addRow("3.2 GiB") << qint64(3.2 * 1024 * 1024 * 1024) << 1 << QStringLiteral("3.2 GiB")
                                 << QStringLiteral("3,2 GiB");
        QTest::addRow("huge") << std::numeric_limits<qint64>::max() << 1 << QStringLiteral("8.0 EiB")
                              << QStringLiteral("8,0 EiB");
        QTest::addRow("negative means unknown") << qint64(-1) << 1 << QStringLiteral("?") << QStringLiteral("?");
    }

    void sizesUseBinaryUnits()
    {
        QFETCH(qint64, bytes);
        QFETCH(int, precision);
        QFETCH(QString, english);
        QFETCH(QString, german);
        QCOMPARE(formatBytes(bytes, precision, QLocale(QLocale::English, QLocale::UnitedStates)), english);
        QCOMPARE(formatBytes(bytes, precision, QLocale(QLocale::German, QLocale::Germany)), german);
    }

    void theCommandLineLocaleHasNoGroupSeparator()
    {
        QCOMPARE(formatBytes(1023, 1, QLocale::c()), QStringLiteral("1023 B"));
        QCOMPARE(formatBytes(1536, 1, QLocale::c()), QStringLiteral("1.5 KiB"));
        QCOMPARE(formatDuration(754.0, QLocale::c()), QStringLiteral("12 min 34 s"));
    }

    void durationsHaveOneStyle_data()
    {
        QTest::addColumn<double>("seconds");
        QTest::addColumn<QString>("english");
        QTest::addColumn<QString>("german");
        QTest::addRow("nothing") << 0.0 << QStringLiteral("0 ms") << QStringLiteral("0 ms");
        QTest::addRow("sub-second") << 0.85 << QStringLiteral("850 ms") << QStringLiteral("850 ms");
        QTest::addRow("just under a second rounds up to seconds") << 0.9996 << QStringLiteral("1.0 s") << QStringLiteral("1,0 s");
        QTest::addRow("seconds") << 12.44 << QStringLiteral("12.4 s") << QStringLiteral("12,4 s");
        QTest::addRow("just under a minute rounds up to minutes") << 59.96 << QStringLiteral("1 min 00 s")
                                                                  << QStringLiteral("1 min 00 s");
        QTest::addRow("minutes") << 185.0 << QStringLiteral("3 min 05 s") << QStringLiteral("3 min 05 s");
        QTest::addRow("hours") << 2 * 3600.0 + 10 * 60 + 20 << QStringLiteral("2 h 10 min") << QStringLiteral("2 h 10 min");
        QTest::addRow("days") << 2 * 86400.0 + 4 * 3600 << QStringLiteral("2 d 04 h") << QStringLiteral("2 d 04 h");
        QTest::addRow("a thousand days") << 1000 * 86400.0 << QStringLiteral("1,000 d 00 h") << QStringLiteral("1.000 d 00 h");
        QTest::addRow("negative means unknown") << -1.0 << QStringLiteral("?") << QStringLiteral("?");
        QTest::addRow("not a number means unknown") << std::numeric_limits<double>::quiet_NaN() << QStringLiteral("?")
                                                    << QStringLiteral("?");
    }

    void durationsHaveOneStyle()
    {
        QFETCH(double, seconds);
        QFETCH(QString, english);
        QFETCH(QString, german);
        QCOMPARE(formatDuration(seconds, QLocale(QLocale::English, QLocale::UnitedStates)), english);
        QCOMPARE(formatDuration(seconds, QLocale(QLocale::German, QLocale::Germany)), german);
    }
};

QTEST_APPLESS_MAIN(TstUnits)
#include "tst_units.moc"
