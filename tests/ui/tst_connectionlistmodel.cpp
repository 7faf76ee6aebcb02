#include "IsolatedEnvironment.h"
#include "ui/ConnectionListModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace cachelens;
using namespace cachelens::ui;

class ConnectionListModelTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void localEngineIsAlwaysFirstAndCannotBeRemoved()
    {
        ConnectionListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0).data().toString(), QStringLiteral("Local engine"));
        QVERIFY(model.index(0).data(ConnectionListModel::IsLocalRole).toBool());
        QCOMPARE(model.index(0).data(ConnectionListModel::StateRole).toInt(), int(ConnectionState::Ready));
        QVERIFY(!model.removeRow(0));
        QCOMPARE(model.rowCount(), 1);
    }

    void sameServerAddedTwiceIsOneRow()
    {
        ConnectionListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        const int a = model.addRedis(*ConnectionUrl::parse(QStringLiteral("redis://:secret@10.0.0.5:6380/2")).url);
        const int b = model.addRedis(*ConnectionUrl::parse(QStringLiteral("redis://:secret@10.0.0.5:6380/2")).url);
        QCOMPARE(a, 1);
        QCOMPARE(b, 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(model.index(1).data().toString(), QStringLiteral("10.0.0.5:6380/2"));
        // The secret never reaches what the UI shows.
        QVERIFY(!model.index(1).data(ConnectionListModel::UrlRole).toString().contains(QStringLiteral("secret")));
        QVERIFY(!model.index(1).data(Qt::ToolTipRole).toString().contains(QStringLiteral("secret")));
    }

    void stateChangesAreSignalledForTheRow()
    {
        ConnectionListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int row = model.addRedis(*ConnectionUrl::parse(QStringLiteral("redis://localhost")).url);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setState(model.entry(row).id, ConnectionState::Reconnecting, QStringLiteral("connection refused"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex().row(), row);
        QCOMPARE(model.index(row).data(ConnectionListModel::StateTextRole).toString(),
                 QStringLiteral("reconnecting — connection refused"));
    }

    void productionRowsAreFlagged()
    {
        ConnectionListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int row = model.addRedis(*ConnectionUrl::parse(QStringLiteral("redis://prod-cache:6379")).url);
        model.setProduction(row, true);
        QVERIFY(model.index(row).data(ConnectionListModel::IsProductionRole).toBool());
        model.setProduction(0, true);   // the local engine is never production
        QVERIFY(!model.index(0).data(ConnectionListModel::IsProductionRole).toBool());
        QVERIFY(model.removeRow(row));
        QCOMPARE(model.rowCount(), 1);
    }
};

QTEST_MAIN(ConnectionListModelTest)
#include "tst_connectionlistmodel.moc"
