-- What MLflow is told about lineage, journaled first like the rest of tracking.

-- The data set versions a tracking run trained or evaluated on, pushed as MLflow dataset inputs (runs/log-inputs).
-- One row per run and data set version, as MLflow keeps one input per run and data set (name, digest): a second
-- log of the same version to the same run is no new input, here or there.
create table tracking_inputs (
    local_id     text not null references tracking_runs(local_id),
    name         text not null,
    version      text not null,
    context      text not null,
    tags_json    text not null,
    synced       boolean not null default false,
    primary key (local_id, name, version)
);
create index tracking_inputs_unsynced on tracking_inputs(local_id) where not synced;

-- The model history's alias moves that are mirrored as tags on MLflow's model versions. model_history itself is
-- append-only, so what has reached MLflow is kept beside it; a move missing here is mirrored by the next sync.
create table model_history_mirrored (
    history_id   bigint primary key references model_history(id),
    mirrored_at  timestamptz not null default now()
);
