#include "ui/ConnectionDialog.h"

#include "connectors/ConnectionTester.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace cachelens::ui {

ConnectionDialog::ConnectionDialog(const std::optional<ConnectionProfile>& existing, QWidget* parent)
    : QDialog(parent),
      m_editing(existing.has_value()),
      m_id(existing ? existing->id : ConnectionProfile::newId()),
      m_name(new QLineEdit(this)),
      m_url(new QLineEdit(this)),
      m_user(new QLineEdit(this)),
      m_password(new QLineEdit(this)),
      m_clearPassword(new QCheckBox(tr("Forget the saved password"), this)),
      m_sentinelPassword(new QLineEdit(this)),
      m_clearSentinelPassword(new QCheckBox(tr("Forget the saved sentinel password"), this)),
      m_production(new QCheckBox(tr("Production: red band, typed confirmation and audit for destructive actions"), this)),
      m_readOnly(new QCheckBox(tr("Read-only: never delete or change keys through this connection"), this)),
      m_separator(new QLineEdit(this)),
      m_validation(new QLabel(this)),
      m_tlsWarning(new QLabel(this)),
      m_testResult(new QLabel(this)),
      m_testButton(new QPushButton(tr("&Test"), this)),
      m_okButton(nullptr),
      m_tester(new ConnectionTester(this))
{
    setObjectName(QStringLiteral("connectionDialog"));
    setWindowTitle(m_editing ? tr("Edit Connection") : tr("New Connection"));
    m_name->setObjectName(QStringLiteral("name"));
    m_url->setObjectName(QStringLiteral("url"));
    m_user->setObjectName(QStringLiteral("user"));
    m_password->setObjectName(QStringLiteral("password"));
    m_clearPassword->setObjectName(QStringLiteral("clearPassword"));
    m_sentinelPassword->setObjectName(QStringLiteral("sentinelPassword"));
    m_clearSentinelPassword->setObjectName(QStringLiteral("clearSentinelPassword"));
    m_production->setObjectName(QStringLiteral("production"));
    m_readOnly->setObjectName(QStringLiteral("readOnly"));
    m_separator->setObjectName(QStringLiteral("separator"));
    m_validation->setObjectName(QStringLiteral("validation"));
    m_tlsWarning->setObjectName(QStringLiteral("tlsWarning"));
    m_testResult->setObjectName(QStringLiteral("testResult"));
    m_testButton->setObjectName(QStringLiteral("test"));

    m_url->setPlaceholderText(QStringLiteral("redis://host:6379/0"));
    m_url->setToolTip(tr("redis://host[:port][/db], rediss://host:6380?ca=FILE&cert=FILE&key=FILE&sni=NAME&verify=no, "
                         "unix:///path/to.sock?db=N, redis-sentinel://s1:26379,s2:26379/mymaster[/db]"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(m_editing ? tr("unchanged") : tr("none"));
    m_clearPassword->setVisible(m_editing);
    m_sentinelPassword->setEchoMode(QLineEdit::Password);
    m_sentinelPassword->setPlaceholderText(m_editing ? tr("unchanged") : tr("none: the sentinels get the password above if they ask"));
    m_sentinelPassword->setToolTip(tr("The sentinels' own requirepass (or ACL user's) password, when it differs from the "
                                      "master's. The ACL user goes in the URL: ?sentinel_user=NAME"));
    m_separator->setMaxLength(4);
    m_separator->setText(QStringLiteral(":"));
    m_validation->setWordWrap(true);
    m_tlsWarning->setWordWrap(true);
    m_tlsWarning->setText(tr("⚠ TLS certificate verification is off: anyone on the network path can impersonate this "
                             "server and read what CacheLens sends."));
    m_tlsWarning->setStyleSheet(QStringLiteral("color: #cf222e; font-weight: bold;"));
    m_testResult->setWordWrap(true);
    m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);

    if (existing) {
        m_name->setText(existing->name);
        ConnectionUrl url = existing->url;
        m_user->setText(url.user);
        url.user.clear();
        url.password.clear();
        m_url->setText(url.toString(true));
        m_production->setChecked(existing->production);
        m_readOnly->setChecked(existing->readOnly);
        m_separator->setText(existing->separator);
    } else {
        m_url->setText(QStringLiteral("redis://127.0.0.1:6379"));
    }

    auto* form = new QFormLayout;
    m_form = form;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&URL:"), m_url);
    form->addRow(QString(), m_validation);
    form->addRow(QString(), m_tlsWarning);
    form->addRow(tr("U&ser (ACL):"), m_user);
    form->addRow(tr("&Password:"), m_password);
    form->addRow(QString(), m_clearPassword);
    form->addRow(tr("Sentinel pass&word:"), m_sentinelPassword);
    form->addRow(QString(), m_clearSentinelPassword);
    form->addRow(tr("Namespace &separator:"), m_separator);
    form->addRow(QString(), m_production);
    form->addRow(QString(), m_readOnly);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->addButton(m_testButton, QDialogButtonBox::ActionRole);
    m_okButton = buttons->button(QDialogButtonBox::Ok);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_testButton, &QPushButton::clicked, this, &ConnectionDialog::runTest);
    connect(m_tester, &ConnectionTester::finished, this, [this](const ConnectionTester::Result& r) {
        m_testResult->setText(r.ok ? tr("✔ %1").arg(r.message) : tr("✘ %1").arg(r.message));
        m_testButton->setEnabled(true);
    });
    for (QLineEdit* edit : {m_name, m_url, m_user, m_separator})
        connect(edit, &QLineEdit::textChanged, this, &ConnectionDialog::revalidate);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_testResult);
    layout->addWidget(buttons);
    resize(560, sizeHint().height());
    revalidate();
}

ConnectionDialog::~ConnectionDialog() = default;

std::optional<ConnectionUrl> ConnectionDialog::currentUrl(QString* error) const
{
    const auto parsed = ConnectionUrl::parse(m_url->text());
    if (!parsed.ok()) {
        if (error)
            *error = tr("URL: %1 (at character %2)").arg(parsed.error).arg(parsed.errorColumn + 1);
        return std::nullopt;
    }
    ConnectionUrl url = *parsed.url;
    if (!m_user->text().trimmed().isEmpty())
        url.user = m_user->text().trimmed();
    return url;
}

void ConnectionDialog::revalidate()
{
    QString error;
    const auto url = currentUrl(&error);
    if (url && m_name->text().trimmed().isEmpty())
        error = tr("Give the connection a name.");
    if (url && m_separator->text().isEmpty())
        error = tr("The namespace separator cannot be empty.");
    m_validation->setText(error);
    m_validation->setVisible(!error.isEmpty());
    m_tlsWarning->setVisible(url && url->isTls() && !url->verifyPeer);
    const bool sentinel = url && url->scheme == ConnectionUrl::Scheme::Sentinel;
    m_form->setRowVisible(m_sentinelPassword, sentinel);
    m_form->setRowVisible(m_clearSentinelPassword, sentinel && m_editing);
    m_okButton->setEnabled(error.isEmpty());
    m_testButton->setEnabled(url.has_value());
}

QString ConnectionDialog::validationMessage() const { return m_validation->isHidden() ? QString() : m_validation->text(); }

QString ConnectionDialog::testMessage() const { return m_testResult->text(); }

bool ConnectionDialog::tlsWarningVisible() const { return !m_tlsWarning->isHidden(); }

void ConnectionDialog::runTest()
{
    auto url = currentUrl(nullptr);
    if (!url)
        return;
    // Testing an edited profile with an unchanged password field cannot know the stored secret; say so if the
    // server then asks for one rather than guess.
    url->password = m_password->text();
    if (!m_sentinelPassword->text().isEmpty())
        url->sentinelPassword = m_sentinelPassword->text();
    m_testResult->setText(tr("Testing %1…").arg(url->endpointLabel()));
    m_testButton->setEnabled(false);
    m_tester->test(*url);
}

ConnectionProfile ConnectionDialog::profile() const
{
    ConnectionProfile p;
    p.id = m_id;
    p.name = m_name->text().trimmed();
    p.url = currentUrl(nullptr).value_or(ConnectionUrl{});
    p.url.password.clear();
    p.url.sentinelPassword.clear();
    p.production = m_production->isChecked();
    p.readOnly = m_readOnly->isChecked();
    p.separator = m_separator->text();
    return p;
}

std::optional<QString> ConnectionDialog::password() const
{
    if (m_editing && m_clearPassword->isChecked())
        return QString();
    if (m_editing && m_password->text().isEmpty())
        return std::nullopt;
    return m_password->text();
}

std::optional<QString> ConnectionDialog::sentinelPassword() const
{
    const auto url = currentUrl(nullptr);
    if (!url || url->scheme != ConnectionUrl::Scheme::Sentinel)
        return m_editing ? std::optional<QString>(QString()) : std::nullopt;   // edited away from Sentinel: forget it
    if (m_editing && m_clearSentinelPassword->isChecked())
        return QString();
    if (!m_sentinelPassword->text().isEmpty())
        return m_sentinelPassword->text();
    if (!url->sentinelPassword.isEmpty())
        return url->sentinelPassword;
    if (m_editing)
        return std::nullopt;
    return QString();
}

} // namespace cachelens::ui
