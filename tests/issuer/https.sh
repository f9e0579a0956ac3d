# SPDX-License-Identifier: MIT
# An IdP's JWKS endpoint for the tests: Debian's nginx serving HTTPS on
# 127.0.0.1:8443 as kc.test (and wrong.test, a name its certificate does
# not hold), with a test CA made by openssl. Only inside a network and
# mount namespace: /etc/hosts is bind-mounted there, nginx's logs, pid and
# temporary files live under $T/nginx. Sourced; needs $T.
#   https_setup     CA ($T/ca.crt), a second CA ($T/otherca.crt), server
#                   certificate, hosts entries, nginx started
#   https_stop / https_start   the IdP down and up again
# Content: $T/www/certs (the JWKS), $T/www/garbage, $T/www/big (2 MiB),
# /redirect-https (302 to /certs), /redirect-http (302 to http://), /missing.
KC_BASE=https://kc.test:8443
KC_CERTS=$KC_BASE/realms/fleet/protocol/openid-connect/certs

https_setup() {
	local d=$T/pki
	mkdir -p "$d" "$T/www" "$T/nginx"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$T/ca.crt" \
		-days 2 -subj "/CN=svcacct test CA" 2>/dev/null || return 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/otherca.key" -out "$T/otherca.crt" \
		-days 2 -subj "/CN=another CA" 2>/dev/null || return 1
	openssl req -newkey rsa:2048 -nodes -keyout "$d/srv.key" -out "$d/srv.csr" \
		-subj "/CN=kc.test" 2>/dev/null || return 1
	printf 'subjectAltName=DNS:kc.test\nextendedKeyUsage=serverAuth\n' >"$d/ext"
	openssl x509 -req -in "$d/srv.csr" -CA "$T/ca.crt" -CAkey "$d/ca.key" \
		-CAcreateserial -days 2 -extfile "$d/ext" -out "$d/srv.crt" 2>/dev/null || return 1
	chmod 644 "$T/ca.crt" "$T/otherca.crt"
	cp /etc/hosts "$T/hosts"
	echo "127.0.0.1 kc.test wrong.test" >>"$T/hosts"
	mount --bind "$T/hosts" /etc/hosts || return 1
	head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$T/www/big"
	echo 'this is not JSON' >"$T/www/garbage"
	cat >"$T/nginx/nginx.conf" <<-NGX
	user root;
	worker_processes 1;
	pid $T/nginx/nginx.pid;
	error_log $T/nginx/error.log;
	events { worker_connections 64; }
	http {
	    access_log $T/nginx/access.log;
	    client_body_temp_path $T/nginx/body;
	    proxy_temp_path $T/nginx/proxy;
	    fastcgi_temp_path $T/nginx/fastcgi;
	    uwsgi_temp_path $T/nginx/uwsgi;
	    scgi_temp_path $T/nginx/scgi;
	    types { application/json json; }
	    default_type application/json;
	    server {
	        listen 127.0.0.1:8443 ssl;
	        server_name kc.test wrong.test;
	        ssl_certificate $d/srv.crt;
	        ssl_certificate_key $d/srv.key;
	        location = /realms/fleet/protocol/openid-connect/certs { alias $T/www/certs; }
	        location = /garbage { alias $T/www/garbage; }
	        location = /big { alias $T/www/big; }
	        location = /redirect-https { return 302 $KC_CERTS; }
	        location = /redirect-http { return 302 http://kc.test:8080/certs; }
	        location = /missing { return 404; }
	    }
	    server {
	        listen 127.0.0.1:8080;
	        location = /certs { alias $T/www/certs; }
	    }
	}
	NGX
	https_start
}

# https_swap_cert NAME: serve a certificate of the test CA for NAME instead
# (a host name the clients do not ask for), or "kc.test" to restore.
https_swap_cert() {
	local d=$T/pki
	openssl req -newkey rsa:2048 -nodes -keyout "$d/srv.key" -out "$d/srv.csr" \
		-subj "/CN=$1" 2>/dev/null || return 1
	printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n' "$1" >"$d/ext"
	openssl x509 -req -in "$d/srv.csr" -CA "$T/ca.crt" -CAkey "$d/ca.key" \
		-CAcreateserial -days 2 -extfile "$d/ext" -out "$d/srv.crt" 2>/dev/null || return 1
	https_stop
	https_start
}

https_start() {
	# with the test NSS overlay in place, nginx runs without it (the
	# module may be an instrumented build: tests/lib/nssns.sh)
	if declare -F nssns_bypass >/dev/null && [ -n "${NSSNS_DIR:-}" ]; then
		nssns_bypass /usr/sbin/nginx -e "$T/nginx/error.log" -c "$T/nginx/nginx.conf" || return 1
	else
		/usr/sbin/nginx -e "$T/nginx/error.log" -c "$T/nginx/nginx.conf" || return 1
	fi
	for _ in $(seq 100); do
		# readiness only (-k: the certificate may be a wrong one on
		# purpose); bounded, so a server that hangs fails the setup
		curl -sk --max-time 2 -o /dev/null "$KC_BASE/missing" && return 0
		sleep 0.05
	done
	return 1
}

https_stop() {
	local p
	p=$(cat "$T/nginx/nginx.pid" 2>/dev/null) || return 0
	kill "$p" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.05; done
}
