-- The model history: every registration and every alias move, appended, never changed. It answers "which
-- version was champion on which date, who or what moved it, on which evidence". Triggers refuse UPDATE, DELETE
-- and TRUNCATE: rewriting the record takes a deliberate schema change, not a query.
create table model_history (
    id                bigserial primary key,
    name              text not null references registered_models(name),
    at                timestamptz not null default now(),
    event             text not null check (event in ('registered', 'alias_set', 'alias_removed')),
    version           integer,
    alias             text,
    previous_version  integer,
    actor             text not null,
    reason            text,
    evidence_json     text
);
create index model_history_name_at on model_history(name, id);

create function model_history_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'model_history is append-only';
end $$;
create trigger model_history_no_update before update or delete on model_history
    for each row execute function model_history_append_only();
create trigger model_history_no_truncate before truncate on model_history
    for each statement execute function model_history_append_only();

-- What existed before the history: each version as registered, each alias as it stands now.
insert into model_history(name, at, event, version, actor, evidence_json)
    select name, created_at, 'registered', version, 'before-history', metrics_json
    from model_versions order by created_at, id;
insert into model_history(name, at, event, version, alias, actor)
    select name, updated_at, 'alias_set', version, alias, 'before-history'
    from model_aliases where version is not null order by updated_at;
