#!/usr/bin/env sh
# Writes secrets.env for compose.yaml: a random PostgreSQL password (and the database URL that
# carries it), the AES-256-GCM encryption key of sensitive variables, an ES256 JWT signing key,
# the first admin's password and Grafana's admin password. Refuses to overwrite an existing file
# (losing the encryption key makes every sensitive variable unreadable: back it up, docs/deploy.md).
set -eu
cd "$(dirname "$0")"
out="${1:-secrets.env}"
if [ -e "$out" ]; then echo "gen-secrets: $out exists; not overwriting it" >&2; exit 1; fi
umask 077
pg_password="$(openssl rand -hex 24)"
jwt_pem="$(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null | awk '{printf "%s\\n", $0}')"
kid="$(date -u +%Y-%m)"
{
  echo "POSTGRES_PASSWORD=${pg_password}"
  echo "VECRON__STORAGE__DATABASE_URL=postgres://vecron:${pg_password}@postgres:5432/vecron"
  echo "VECRON__SECURITY__ENCRYPTION_KEY=$(openssl rand -hex 32)"
  echo "VECRON__AUTH__KEYS=[{\"kid\":\"${kid}\",\"private_key_pem\":\"${jwt_pem}\"}]"
  echo "VECRON__AUTH__INITIAL_ADMIN_PASSWORD=$(openssl rand -base64 18 | tr -d '/+=')-Aa1"
  echo "GF_SECURITY_ADMIN_PASSWORD=$(openssl rand -hex 16)"
} > "$out"
echo "gen-secrets: wrote $out (mode 0600); the first admin's password is VECRON__AUTH__INITIAL_ADMIN_PASSWORD in it"
