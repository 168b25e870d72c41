-- The model registry: named models, their numbered versions (V1's model_versions) and aliases.

-- One row per model name. Registering a version locks this row, so concurrent registrations of the
-- same name are serialized and numbered without gaps or collisions.
create table registered_models (
    name          text primary key,
    last_version  integer not null default 0,
    created_at    timestamptz not null default now()
);
insert into registered_models(name, last_version)
    select name, max(version) from model_versions group by name;
alter table model_versions
    add constraint model_versions_registered_model foreign key (name) references registered_models(name);

-- A version is its bundle: registering the same bundle under the same name again returns that version.
create unique index model_versions_name_bundle on model_versions(name, manifest_digest);

-- An alias names exactly one version of a model (the key). version is null for an alias deleted
-- here and not yet deleted in MLflow; mirrored_version is the version MLflow's copy of the alias
-- points at, as far as this database knows (null: not set there). They differ until a sync.
create table model_aliases (
    name              text not null references registered_models(name),
    alias             text not null,
    version           integer,
    mirrored_version  integer,
    updated_at        timestamptz not null default now(),
    primary key (name, alias),
    foreign key (name, version) references model_versions(name, version)
);

-- Aliases move from V1's comma-separated column (never written by any code) to their table.
insert into model_aliases(name, alias, version)
    select distinct on (v.name, trim(a)) v.name, trim(a), v.version
    from model_versions v, unnest(string_to_array(v.aliases, ',')) a
    where trim(a) <> ''
    order by v.name, trim(a), v.version desc;
alter table model_versions drop column aliases;
