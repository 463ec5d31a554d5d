// Package components holds websignup's templ components, the view models
// they render and the site's static assets (embedded in the binary).
//
// Components take view models shaped like the screen and never query
// anything: handlers build a view model from forms types and render it.
package components

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
)

//go:embed static
var embedded embed.FS

// Static is the site's static assets (css/, img/, vendor/), rooted so that
// "css/site.css" is served as /static/css/site.css.
var Static fs.FS = mustSub(embedded, "static")

// StaticPrefix is the URL path the web server serves Static under.
const StaticPrefix = "/static/"

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // only if the embed directive above is broken
	}
	return sub
}

// assetVersions maps an asset's path in Static to a short hash of its
// content, computed once, so asset URLs change whenever the file does and can
// be cached for a year.
var assetVersions = func() map[string]string {
	m := map[string]string{}
	_ = fs.WalkDir(Static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := fs.ReadFile(Static, p)
		if err != nil {
			return nil
		}
		sum := sha256.Sum256(b)
		m[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return m
}()

// assetURLs maps an asset's path in Static to its URL, made once: every
// page links the same few assets.
var assetURLs = func() map[string]string {
	m := make(map[string]string, len(assetVersions))
	for name, v := range assetVersions {
		m[name] = StaticPrefix + name + "?v=" + v
	}
	return m
}()

// Asset returns the URL of a static asset, e.g. Asset("css/site.css") is
// "/static/css/site.css?v=1a2b3c4d5e6f". An asset missing from the binary
// (htmx before `make generate` copied it) gets its plain URL.
func Asset(name string) string {
	if u, ok := assetURLs[name]; ok {
		return u
	}
	name = strings.TrimPrefix(path.Clean("/"+name), "/")
	u := StaticPrefix + name
	if v, ok := assetVersions[name]; ok {
		u += "?v=" + v
	}
	return u
}

// HasAsset reports whether the named asset is embedded in the binary.
func HasAsset(name string) bool {
	if _, ok := assetVersions[name]; ok {
		return true
	}
	_, ok := assetVersions[strings.TrimPrefix(path.Clean("/"+name), "/")]
	return ok
}
