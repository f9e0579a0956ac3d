/* SPDX-License-Identifier: MIT */
#include "names.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* Names that would confuse people or programs if a service account took
 * them, whether or not they exist on this host. */
static const char *const reserved[] = {
    SV_BASE_ROLE,      "root",	  "daemon", "bin",     "sys",	"sync",
    "nobody",	       "nogroup", "wheel",  "sudo",    "admin", "adm",
    "shadow",	       "staff",	  "users",  "disk",    "kmem",	"tty",
    "systemd-journal", "sshd",	  "all",    "default", "none",	"local",
};

/* The form alone: ^[a-z_][a-z0-9_-]{0,31}$. */
static bool name_chars_ok(const char *name, size_t n)
{
	if (n == 0 || n > SV_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		bool ok = (ch >= 'a' && ch <= 'z') || ch == '_' ||
			  (i > 0 && ((ch >= '0' && ch <= '9') || ch == '-'));
		if (!ok)
			return false;
	}
	return true;
}

static bool all_digits(const char *name)
{
	return strspn(name, "0123456789") == strlen(name);
}

bool sv_name_form_ok(const char *name)
{
	return name_chars_ok(name, strlen(name)) && !all_digits(name);
}

int sv_name_check(const char *name, char *err, size_t errlen)
{
	size_t n = strlen(name);

	if (n == 0 || n > SV_NAME_MAX) {
		snprintf(err, errlen, "name '%.40s' must be 1 to %d characters",
			 name, SV_NAME_MAX);
		return -EINVAL;
	}
	if (!name_chars_ok(name, n)) {
		snprintf(err, errlen,
			 "name '%.40s' is invalid: use lower-case "
			 "letters, digits, '_' and '-', starting with a "
			 "letter or '_'",
			 name);
		return -EINVAL;
	}
	if (all_digits(name)) {
		snprintf(err, errlen, "name '%s' is all digits", name);
		return -EINVAL;
	}
	for (size_t i = 0; i < SV_ARRAY_SIZE(reserved); i++)
		if (!strcmp(reserved[i], name)) {
			snprintf(err, errlen, "name '%s' is reserved", name);
			return -EINVAL;
		}
	return 0;
}

/* Groups that the system or a package creates, by name, often after
 * svcacct is installed. A role or account of that name makes the
 * package's `addgroup --system NAME` fail, or, worse, makes a script's
 * `getent group NAME || groupadd NAME` find svcacct's group and hand the
 * package's power (docker, lxd, libvirt, kvm: root) to its members. The
 * names sv_name_check refuses outright (root, sudo, wheel, adm, shadow,
 * disk, kmem, tty, users, staff, systemd-journal, ...) are not repeated. */
static const char *const builtin_groups[] = {
    /* Debian base-passwd's static groups */
    "lp",
    "mail",
    "news",
    "uucp",
    "man",
    "proxy",
    "dialout",
    "fax",
    "voice",
    "cdrom",
    "floppy",
    "tape",
    "audio",
    "dip",
    "www-data",
    "backup",
    "operator",
    "list",
    "irc",
    "src",
    "gnats",
    "utmp",
    "video",
    "sasl",
    "plugdev",
    "games",
    /* base groups of systemd (sysusers.d/basic.conf) and of Fedora's and
     * RHEL's setup package */
    "input",
    "kvm",
    "render",
    "sgx",
    "mem",
    "lock",
    "ftp",
    "utempter",
    "systemd-network",
    "systemd-resolve",
    "systemd-timesync",
    "systemd-coredump",
    "systemd-oom",
    "systemd-journal-remote",
    /* containers and virtual machines: membership is root */
    "docker",
    "lxd",
    "incus",
    "incus-admin",
    "libvirt",
    "libvirt-qemu",
    "libvirtd",
    "qemu",
    "vboxusers",
    "microk8s",
    /* devices, packet capture, keys, logs and other access that packages
     * hand out by group */
    "netdev",
    "bluetooth",
    "scanner",
    "saned",
    "lpadmin",
    "sambashare",
    "ssl-cert",
    "crontab",
    "mlocate",
    "plocate",
    "wireshark",
    "pcap",
    "tcpdump",
    "tss",
    "fuse",
    "i2c",
    "gpio",
    "spi",
    "pulse-access",
    /* daemons' own groups */
    "_ssh",
    "ssh",
    "messagebus",
    "polkitd",
    "sssd",
    "avahi",
    "rtkit",
    "pulse",
    "colord",
    "geoclue",
    "gdm",
    "lightdm",
    "sddm",
    "uuidd",
    "dnsmasq",
    "ntp",
    "chrony",
    "_chrony",
    "postfix",
    "postdrop",
    "_apt",
    "apache",
    "nginx",
    "mysql",
    "postgres",
    "redis",
};

bool sv_group_name_builtin(const char *name)
{
	for (size_t i = 0; i < SV_ARRAY_SIZE(builtin_groups); i++)
		if (!strcmp(builtin_groups[i], name))
			return true;
	return false;
}

enum sv_group_reserved sv_group_name_reserved(const struct sv_config *c,
					      const char *name)
{
	bool exempt = false;
	if (!strcmp(name, c->keys_group))
		return SV_GROUP_KEYS_GROUP;
	for (size_t i = 0; i < c->n_reserved_group_names; i++) {
		const char *e = c->reserved_group_names[i];
		if (e[0] == '!' && !strcmp(e + 1, name))
			exempt = true;
		else if (!strcmp(e, name))
			return SV_GROUP_CONFIG;
	}
	return !exempt && sv_group_name_builtin(name) ? SV_GROUP_BUILTIN
						      : SV_GROUP_FREE;
}

int sv_field_check(const char *what, const char *s, size_t max, char *err,
		   size_t errlen)
{
	size_t n = strlen(s);
	if (n > max) {
		snprintf(err, errlen, "%s is longer than %zu bytes", what, max);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f) {
			snprintf(err, errlen,
				 "%s contains a control character (newline, "
				 "tab, ...)",
				 what);
			return -EINVAL;
		}
		if (ch == ':') {
			snprintf(err, errlen, "%s may not contain ':'", what);
			return -EINVAL;
		}
	}
	return 0;
}

int sv_path_check(const char *what, const char *s, char *err, size_t errlen)
{
	int r = sv_field_check(what, s, 255, err, errlen);
	if (r < 0)
		return r;
	if (s[0] != '/') {
		snprintf(err, errlen, "%s '%s' is not an absolute path", what,
			 s);
		return -EINVAL;
	}
	size_t n = strlen(s);
	if (strstr(s, "//") || strstr(s, "/./") || strstr(s, "/../") ||
	    (n >= 2 && !strcmp(s + n - 2, "/.")) ||
	    (n >= 3 && !strcmp(s + n - 3, "/..")) || strchr(s, ' ') ||
	    (n > 1 && s[n - 1] == '/')) {
		snprintf(err, errlen, "%s '%s' is not a normalised path", what,
			 s);
		return -EINVAL;
	}
	return 0;
}

static bool never_served(uint32_t id)
{
	return id < 1000 || id == 65534 || id == 65535 || id == UINT32_MAX;
}

bool sv_uid_acceptable(const struct sv_config *c, uint32_t uid)
{
	return !never_served(uid) && uid >= c->uid_min && uid <= c->uid_max;
}

bool sv_role_gid_acceptable(const struct sv_config *c, uint32_t gid)
{
	if (never_served(gid))
		return false;
	return gid == c->base_gid || (gid >= c->gid_min && gid <= c->gid_max);
}
