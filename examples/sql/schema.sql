-- Tables the example jobs in ../jobs write to (PostgreSQL). Run once per database:
--   psql "$SETTLEMENT_DB_URL" -f examples/sql/schema.sql

-- daily-settlement.json: orders fetched from the core-banking API, one row per order.
CREATE TABLE settlement_orders (
  order_id            text          PRIMARY KEY,
  business_date       date          NOT NULL,
  customer_name       text          NOT NULL,
  branch              text          NOT NULL,
  amount              numeric(18,2) NOT NULL CHECK (amount >= 0),
  currency            char(3)       NOT NULL,
  loaded_by_execution text          NOT NULL,
  loaded_at           timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX settlement_orders_business_date ON settlement_orders (business_date);

-- statement-import.json: lines of the bank's daily statement file (SAO_KE_yyyyMMdd_*.csv).
CREATE TABLE bank_statement_lines (
  transaction_ref     text          PRIMARY KEY,
  value_date          date          NOT NULL,
  account_no          text          NOT NULL,
  counterparty        text          NOT NULL,
  description         text,
  amount              numeric(18,2) NOT NULL,
  source_file         text          NOT NULL,
  loaded_by_execution text          NOT NULL,
  loaded_at           timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX bank_statement_lines_source_file ON bank_statement_lines (source_file);
