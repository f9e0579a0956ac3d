# nss_svcacct build fragment (filled in by the NSS work)
