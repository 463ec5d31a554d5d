package storage

// Migration 50 adds cache_generation: one row whose number goes up whenever
// something a published form is served from changes (a version is published,
// archived, rolled back or deleted; a form is renamed, re-slugged or
// deleted). FormCache (cache.go) reads it at most once per check interval to
// learn, with one single-row read, whether its copy is still current, so that
// several instances agree on the published version within about a second.
//
// Triggers bump it, so no code path that publishes can forget to. Saving a
// draft does not: a draft is never served to prospects.
func init() {
	register(migration{
		version: 50,
		name:    "cache generation",
		sqlite: []string{
			`CREATE TABLE cache_generation (
				id INTEGER PRIMARY KEY CHECK (id = 1),
				generation INTEGER NOT NULL
			)`,
			`INSERT INTO cache_generation (id, generation) VALUES (1, 1)`,
			`CREATE TRIGGER form_versions_cache_ins AFTER INSERT ON form_versions
				WHEN NEW.status <> 'draft'
				BEGIN UPDATE cache_generation SET generation = generation + 1 WHERE id = 1; END`,
			`CREATE TRIGGER form_versions_cache_upd AFTER UPDATE ON form_versions
				WHEN NEW.status <> 'draft' OR OLD.status <> 'draft'
				BEGIN UPDATE cache_generation SET generation = generation + 1 WHERE id = 1; END`,
			`CREATE TRIGGER form_versions_cache_del AFTER DELETE ON form_versions
				WHEN OLD.status <> 'draft'
				BEGIN UPDATE cache_generation SET generation = generation + 1 WHERE id = 1; END`,
			`CREATE TRIGGER forms_cache_upd AFTER UPDATE ON forms
				BEGIN UPDATE cache_generation SET generation = generation + 1 WHERE id = 1; END`,
			`CREATE TRIGGER forms_cache_del AFTER DELETE ON forms
				BEGIN UPDATE cache_generation SET generation = generation + 1 WHERE id = 1; END`,
		},
		postgres: []string{
			`CREATE TABLE cache_generation (
				id INTEGER PRIMARY KEY CHECK (id = 1),
				generation BIGINT NOT NULL
			)`,
			`INSERT INTO cache_generation (id, generation) VALUES (1, 1)`,
			`CREATE FUNCTION bump_cache_generation() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN
					UPDATE cache_generation SET generation = generation + 1 WHERE id = 1;
					RETURN NULL;
				END $$`,
			`CREATE TRIGGER form_versions_cache_ins AFTER INSERT ON form_versions
				FOR EACH ROW WHEN (NEW.status <> 'draft') EXECUTE FUNCTION bump_cache_generation()`,
			`CREATE TRIGGER form_versions_cache_upd AFTER UPDATE ON form_versions
				FOR EACH ROW WHEN (NEW.status <> 'draft' OR OLD.status <> 'draft') EXECUTE FUNCTION bump_cache_generation()`,
			`CREATE TRIGGER form_versions_cache_del AFTER DELETE ON form_versions
				FOR EACH ROW WHEN (OLD.status <> 'draft') EXECUTE FUNCTION bump_cache_generation()`,
			`CREATE TRIGGER forms_cache_upd AFTER UPDATE ON forms
				FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation()`,
			`CREATE TRIGGER forms_cache_del AFTER DELETE ON forms
				FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation()`,
		},
	})
}
