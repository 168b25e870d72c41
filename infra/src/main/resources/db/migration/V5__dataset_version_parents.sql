-- The data set versions a version was built from (a retrain's union of the champion's data and the new site's):
-- a version has at most one predecessor of its own name (dataset_versions.parent_digest), but may have several
-- sources.
create table dataset_version_parents (
    dataset          text not null,
    version_digest   text not null,
    parent_dataset   text not null,
    parent_version   text not null,
    primary key (dataset, version_digest, parent_dataset, parent_version)
);
