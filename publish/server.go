package publish

// ServerFile is one configuration file of a server that runs kjjr, as
// the README's "Running it on a server" section shows it. The tests check
// that the README quotes each one verbatim and exercise it (systemd units
// with systemd-analyze verify, commands by running them).
type ServerFile struct {
	Path string // where it goes on the server
	Text string
}

// ServerFiles are the systemd units and the cron file of a Debian server
// laid out as the README says: user kjjr, bare repo
// /srv/kjjr/content.git, web root /srv/kjjr/www, kjjr in /usr/local/bin,
// mail passwords in /etc/kjjr.
var ServerFiles = []ServerFile{
	{"/etc/systemd/system/kjjr-inbox.service", `[Unit]
Description=kjjr 收取邮件报送
Wants=network-online.target
After=network-online.target

[Service]
User=kjjr
Environment=KJJR_IMAP_ADDR=imap.example.gov.cn:993
Environment=KJJR_IMAP_USER=kjjr@example.gov.cn
Environment=KJJR_SMTP_ADDR=smtp.example.gov.cn:465
Environment=KJJR_SMTP_USER=kjjr@example.gov.cn
LoadCredential=imap-password:/etc/kjjr/imap-password
LoadCredential=smtp-password:/etc/kjjr/smtp-password
ExecStart=/usr/local/bin/kjjr inbox --repo /srv/kjjr/content.git --imap-password-file ${CREDENTIALS_DIRECTORY}/imap-password --smtp-password-file ${CREDENTIALS_DIRECTORY}/smtp-password
Restart=on-failure
RestartSec=30s
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=/srv/kjjr/content.git
PrivateTmp=yes

[Install]
WantedBy=multi-user.target
`},
	{"/etc/systemd/system/kjjr-publish.service", `[Unit]
Description=kjjr 发布网站（日期带来的变化：公示截止、结果生效、新月份）

[Service]
Type=oneshot
User=kjjr
ExecStart=/usr/local/bin/kjjr publish --repo /srv/kjjr/content.git --to /srv/kjjr/www
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=/srv/kjjr/content.git /srv/kjjr/www
PrivateTmp=yes
`},
	{"/etc/systemd/system/kjjr-publish.timer", `[Unit]
Description=每天 00:01（北京时间）发布网站

[Timer]
OnCalendar=*-*-* 00:01:00 Asia/Shanghai
Persistent=true

[Install]
WantedBy=timers.target
`},
	{"/etc/cron.d/kjjr-publish", `# 00:01 Beijing time, with the server's clock in UTC (16:01 UTC).
1 16 * * * kjjr /usr/local/bin/kjjr publish --repo /srv/kjjr/content.git --to /srv/kjjr/www
`},
}
