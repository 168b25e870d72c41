-- Retrain schedules: the record of every `causalcxr schedule retrain`, so that `schedule list` needs no Temporal
-- visibility API and a restarted stack's worker re-arms the active ones (each runs as a RetrainScheduleWorkflow).
create table retrain_schedules (
    id              bigserial primary key,
    model           text not null,
    dataset         text not null,
    every_seconds   bigint not null check (every_seconds >= 60),
    spec_yaml       text,
    state           text not null default 'active' check (state in ('active', 'paused')),
    created_at      timestamptz not null default now(),
    created_by      text not null,
    last_tick_at    timestamptz,
    last_outcome    text,
    unique (model, dataset)
);

-- Which champion version was retrained on which data set version, by whom: a scheduled tick or an import's
-- --then-retrain starts nothing for a pair that is here already (the same new version never retrains twice).
create table retrain_triggers (
    model             text not null,
    champion_version  integer not null,
    dataset           text not null,
    dataset_version   text not null,
    workflow_id       text not null,
    trigger           text not null,
    started_at        timestamptz not null default now(),
    primary key (model, champion_version, dataset, dataset_version)
);
