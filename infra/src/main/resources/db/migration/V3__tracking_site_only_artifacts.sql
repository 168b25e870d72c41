-- Pictures of real (non-phantom) studies: pushed only to the site's own embedded MLflow server
-- (or anywhere when the spec says tracking.images: allowed, which records them as not site-only).
alter table tracking_artifacts add column site_only boolean not null default false;
