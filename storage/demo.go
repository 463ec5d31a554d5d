package storage

import (
	"context"

	"gorm.io/gorm"

	"websignup/forms"
)

// DemoTenantName is the tenant SeedDemo puts the demo form under.
const DemoTenantName = "Operator"

// SeedDemo creates, in one transaction, the tenant DemoTenantName (unless it
// exists) and the form forms.DemoSlug with forms.DemoConfig() published. It
// does nothing when a form with that slug exists already, and reports
// whether it created the form.
func (s *Store) SeedDemo(ctx context.Context) (bool, error) {
	created := false
	err := s.write(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&formRecord{}).Where("slug = ?", forms.DemoSlug).Count(&n).Error; err != nil {
			return dbError(err, "seed demo", "form")
		}
		if n > 0 {
			return nil
		}
		cfg := forms.DemoConfig()
		var tenant tenantRecord
		err := tx.Take(&tenant, "name = ?", DemoTenantName).Error
		if gormNotFound(err) {
			tenant = tenantRecord{Name: DemoTenantName, IParent: cfg.IParent}
			err = tx.Create(&tenant).Error
		}
		if err != nil {
			return dbError(err, "seed demo tenant", "tenant "+DemoTenantName)
		}
		f, err := createForm(tx, forms.Form{TenantID: tenant.ID, Slug: forms.DemoSlug, Name: "Demo signup"})
		if err != nil {
			return err
		}
		if _, err := saveDraft(tx, f.ID, cfg, "seed-demo"); err != nil {
			return err
		}
		if _, err := publish(tx, f.ID, "seed-demo", tx.NowFunc()); err != nil {
			return err
		}
		created = true
		return nil
	})
	if err != nil {
		return false, err
	}
	if created {
		s.logger.InfoContext(ctx, "seeded the demo form", "slug", forms.DemoSlug)
	}
	return created, nil
}
