// Command gen-sdk writes a language SDK for a Pulumi package from its schema, with the code
// generators of the pulumi CLI's own release (github.com/pulumi/pulumi/pkg/v3/codegen). `pulumi
// package gen-sdk` asks the language host to do it, and the Python and Go hosts these machines can
// build (sdk/v3 v3.68.0 and v3.62.0) predate that call (GeneratePackage), so the generators run
// here directly, as `pulumi package add` runs them: for a package that supports packing (Python:
// pyproject.toml; Go: a go.mod of its own, module example.com/pulumi-<name>/sdk/go).
//
//	gen-sdk -schema provider/schema.json -language python -out sdk/python
//	gen-sdk -schema provider/schema.json -language go -out sdk/go
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	schemaPath := flag.String("schema", "", "the package schema (JSON)")
	language := flag.String("language", "python", "the SDK's language (python or go)")
	out := flag.String("out", "", "directory to write the SDK to (replaced)")
	flag.Parse()
	if *schemaPath == "" || *out == "" {
		fail("usage: gen-sdk -schema SCHEMA.json -language python|go -out DIR")
	}
	data, err := os.ReadFile(*schemaPath)
	check(err)
	var spec schema.PackageSpec
	check(json.Unmarshal(data, &spec))
	pkg, err := schema.ImportSpec(spec, nil, noReferences{}, schema.ValidationOptions{})
	check(err)
	pkg.SupportPack = true
	var files map[string][]byte
	switch *language {
	case "python":
		files, err = python.GeneratePackage("gen-sdk", pkg, nil, noReferences{})
	case "go":
		files, err = gogen.GeneratePackage("gen-sdk", pkg, nil)
	default:
		fail("language %q: only python and go are generated here (YAML needs no SDK)", *language)
	}
	check(err)
	check(os.RemoveAll(*out))
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(*out, name)
		check(os.MkdirAll(filepath.Dir(path), 0o755))
		check(os.WriteFile(path, files[name], 0o644))
	}
	fmt.Printf("gen-sdk: %d files of the %s SDK of %s %s in %s\n", len(names), *language, pkg.Name, pkg.Version, *out)
}

func check(err error) {
	if err != nil {
		fail("%v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gen-sdk: "+format+"\n", args...)
	os.Exit(1)
}

// noReferences loads no other package: the schema refers only to its own types.
type noReferences struct{}

func refuse(name string) error {
	return fmt.Errorf("the schema refers to package %q; gen-sdk loads no other package", name)
}

func (noReferences) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, refuse(name)
}

func (noReferences) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, refuse(d.Name)
}

func (noReferences) LoadPackageReference(name string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, refuse(name)
}

func (noReferences) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, refuse(d.Name)
}
