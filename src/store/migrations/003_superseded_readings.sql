-- Estimated register reads that a later actual read of the same meter, register and time
-- replaced: the estimate as it was stored (with the file and line it came from) and the file and
-- line of the actual read that replaced it, which is now the row in `readings`.
CREATE TABLE superseded_readings (
  meter_key INTEGER NOT NULL,
  read_at TIMESTAMP NOT NULL,
  register register_kind NOT NULL,
  value_milli BIGINT NOT NULL,
  read_type read_type NOT NULL,
  file_key INTEGER NOT NULL,
  line BIGINT NOT NULL,
  superseded_by_file_key INTEGER NOT NULL,
  superseded_by_line BIGINT NOT NULL
);
