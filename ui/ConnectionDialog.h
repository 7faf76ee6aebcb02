#pragma once
// Add or edit a connection profile: name, URL, user, password (and, for redis-sentinel://, the sentinels' own
// password), production and read-only flags, namespace separator,
// live URL validation, a visible warning when TLS verification is off, and "Test" (latency and server version).
#include "connectors/profiles/ConnectionProfile.h"

#include <QDialog>

#include <optional>

class QCheckBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;

namespace cachelens {
class ConnectionTester;
}

namespace cachelens::ui {

class ConnectionDialog : public QDialog
{
    Q_OBJECT
public:
    // `existing` empty: a new profile. When editing, an empty password field keeps the saved password.
    explicit ConnectionDialog(const std::optional<ConnectionProfile>& existing, QWidget* parent = nullptr);
    ~ConnectionDialog() override;

    ConnectionProfile profile() const;          // without the password
    std::optional<QString> password() const;    // nullopt: keep what is stored
    // The sentinels' password (redis-sentinel:// only; the field, else the URL's sentinel_password=); nullopt: keep
    // what is stored. A profile edited to another scheme gives "" (forget it).
    std::optional<QString> sentinelPassword() const;

    QString validationMessage() const;          // empty when the form can be saved
    QString testMessage() const;
    bool tlsWarningVisible() const;

public Q_SLOTS:
    void runTest();

private:
    std::optional<ConnectionUrl> currentUrl(QString* error) const;
    void revalidate();

    bool m_editing;
    QString m_id;
    QLineEdit* m_name;
    QLineEdit* m_url;
    QLineEdit* m_user;
    QLineEdit* m_password;
    QCheckBox* m_clearPassword;
    QLineEdit* m_sentinelPassword;
    QCheckBox* m_clearSentinelPassword;
    QFormLayout* m_form = nullptr;
    QCheckBox* m_production;
    QCheckBox* m_readOnly;
    QLineEdit* m_separator;
    QLabel* m_validation;
    QLabel* m_tlsWarning;
    QLabel* m_testResult;
    QPushButton* m_testButton;
    QPushButton* m_okButton;
    ConnectionTester* m_tester;
};

} // namespace cachelens::ui
