-- Lineage journal and metadata of the platform. Report text and raw patient ids never live here.

create table datasets (
    id          bigserial primary key,
    name        text not null unique,
    created_at  timestamptz not null default now()
);

create table dataset_versions (
    id               bigserial primary key,
    dataset_id       bigint not null references datasets(id),
    version_digest   text not null,
    parent_digest    text,
    manifest_digest  text not null,
    source_kind      text not null,
    studies          integer not null,
    created_at       timestamptz not null default now(),
    unique (dataset_id, version_digest)
);

create table studies (
    id                  bigserial primary key,
    dataset_version_id  bigint not null references dataset_versions(id),
    study_id            text not null,
    patient_pseudonym   text not null,
    split               text not null,
    image_digest        text not null,
    report_digest       text,
    unique (dataset_version_id, study_id)
);

create table findings (
    id          bigserial primary key,
    study_pk    bigint not null references studies(id),
    extractor   text not null,
    finding     text not null,
    status      text not null,
    severity    text not null,
    laterality  text not null,
    zone        text not null
);
create index findings_study on findings(study_pk);

create table pipeline_runs (
    id                      text primary key,
    name                    text not null,
    spec_digest             text not null,
    spec_json               text not null,
    code_version            text not null,
    dataset_version_digest  text,
    status                  text not null,
    started_at              timestamptz not null default now(),
    finished_at             timestamptz,
    tracking_run_id         text,
    summary_json            text
);

create table stage_runs (
    id                      bigserial primary key,
    pipeline_run_id         text not null references pipeline_runs(id),
    stage                   text not null,
    cache_key               text not null,
    status                  text not null,
    attempt                 integer not null,
    cache_hit               boolean not null default false,
    output_manifest_digest  text,
    tracking_run_id         text,
    started_at              timestamptz not null default now(),
    finished_at             timestamptz,
    seconds                 double precision,
    error                   text,
    unique (pipeline_run_id, stage)
);
create index stage_runs_cache_key on stage_runs(cache_key, status);

-- Checkpoints by cache key and run: a retried attempt resumes from the newest complete one even
-- when the heartbeat that carried its pointer was lost; a new run of the same key may pick up where
-- an interrupted one stopped (same key = same config, inputs and seed, so the same trajectory).
create table stage_checkpoints (
    cache_key        text not null,
    pipeline_run_id  text not null,
    step             bigint not null,
    object_digest    text not null,
    created_at       timestamptz not null default now(),
    primary key (cache_key, pipeline_run_id, step)
);

create table artifacts (
    digest      text primary key,
    size        bigint not null,
    kind        text not null,
    created_at  timestamptz not null default now()
);

create table model_versions (
    id               bigserial primary key,
    name             text not null,
    version          integer not null,
    pipeline_run_id  text references pipeline_runs(id),
    manifest_digest  text not null,
    registry_version text,
    aliases          text not null default '',
    metrics_json     text,
    created_at       timestamptz not null default now(),
    unique (name, version)
);

-- The tracking journal: every run, param, metric, tag and artifact is recorded here first and
-- pushed to MLflow when a server is reachable; rows with synced = false are replayed later.
create table tracking_runs (
    local_id        text primary key,
    experiment      text not null,
    parent_local_id text references tracking_runs(local_id),
    run_name        text not null,
    status          text not null,
    start_ms        bigint not null,
    end_ms          bigint,
    mlflow_run_id   text,
    end_synced      boolean not null default false
);

create table tracking_params (
    local_id  text not null references tracking_runs(local_id),
    key       text not null,
    value     text not null,
    synced    boolean not null default false,
    primary key (local_id, key)
);

create table tracking_tags (
    local_id  text not null references tracking_runs(local_id),
    key       text not null,
    value     text not null,
    synced    boolean not null default false,
    primary key (local_id, key)
);

create table tracking_metrics (
    id        bigserial primary key,
    local_id  text not null references tracking_runs(local_id),
    key       text not null,
    value     double precision not null,
    step      bigint not null,
    ts_ms     bigint not null,
    synced    boolean not null default false
);
create index tracking_metrics_unsynced on tracking_metrics(local_id) where not synced;

create table tracking_artifacts (
    local_id       text not null references tracking_runs(local_id),
    path           text not null,
    object_digest  text not null,
    size           bigint not null,
    synced         boolean not null default false,
    primary key (local_id, path)
);
