package storage

import "gorm.io/gorm"

// WizardDBForTest exposes the database handle to the wizard store's tests,
// which play the parts of other writers (Sign up) and inspect raw rows.
func (s *Store) WizardDBForTest() *gorm.DB { return s.db }

// MigrationCountForTest is how many migrations the program has; versions
// are not contiguous, so it is not LatestSchemaVersion.
func MigrationCountForTest() int { return len(history()) }
