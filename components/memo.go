package components

import (
	"context"
	"io"
	"strings"

	"github.com/a-h/templ"

	"websignup/internal/memo"
)

// markupMemo keeps the markup a component renders for a comparable view
// model, for the parts of a page that repeat from request to request and
// hold nothing of the prospect's: a version's plan cards, a step's
// progress, intro and actions. The markup is render(k)'s, rendered the
// first time k is seen; render must not depend on the context (no nonce).
// Keyed by content, it cannot go stale. It is safe for concurrent use and
// bounded (memo.Map).
type markupMemo[K comparable] struct {
	render func(K) templ.Component
	m      memo.Map[K, string]
}

// of is the component writing k's markup. It is a struct, whose Render a
// template calls directly: using the memo allocates nothing.
func (mm *markupMemo[K]) of(k K) memoized[K] { return memoized[K]{mm, k} }

type memoized[K comparable] struct {
	mm *markupMemo[K]
	k  K
}

// Render implements templ.Component.
func (c memoized[K]) Render(ctx context.Context, w io.Writer) error {
	s, ok := c.mm.m.Load(c.k)
	if !ok {
		var sb strings.Builder
		if err := c.mm.render(c.k).Render(ctx, &sb); err != nil {
			return err
		}
		s = sb.String()
		c.mm.m.Store(c.k, s)
	}
	_, err := io.WriteString(w, s)
	return err
}

// planCardKey is a plan card: the plan and its position, which names its
// radio's id.
type planCardKey struct {
	plan  PlanVM
	index int
}

var planCards = markupMemo[planCardKey]{render: func(k planCardKey) templ.Component {
	return planCard(k.plan, planInputID(k.index))
}}

// maxMemoSteps is the most steps a progress indicator the memo keeps has.
const maxMemoSteps = 8

// progressKey is a progress indicator's steps, in an array to be
// comparable.
type progressKey struct {
	steps [maxMemoSteps]StepVM
	n     int
}

var progressMemo = markupMemo[progressKey]{render: func(k progressKey) templ.Component {
	return Progress(k.steps[:k.n])
}}

// progressOf is Progress(steps), written from the memo when there are at
// most maxMemoSteps steps. Like memoized, a type whose Render the layout
// calls directly.
type progressOf []StepVM

// Render implements templ.Component.
func (steps progressOf) Render(ctx context.Context, w io.Writer) error {
	if len(steps) > maxMemoSteps {
		return Progress(steps).Render(ctx, w)
	}
	k := progressKey{n: len(steps)}
	copy(k.steps[:], steps)
	return progressMemo.of(k).Render(ctx, w)
}

type stepIntroKey struct{ id, title, lead string }

var stepIntros = markupMemo[stepIntroKey]{render: func(k stepIntroKey) templ.Component {
	return stepIntroTemplate(k.id, k.title, k.lead)
}}

// stepIntro is a step's heading and lead paragraph, written from the memo:
// every step has the same one on every request.
func stepIntro(id, title, lead string) memoized[stepIntroKey] {
	return stepIntros.of(stepIntroKey{id, title, lead})
}

type stepActionsKey struct{ backURL, submit string }

var stepActionsMemo = markupMemo[stepActionsKey]{render: func(k stepActionsKey) templ.Component {
	return stepActionsTemplate(k.backURL, k.submit)
}}

// stepActions are a step's Back link and Continue button, written from the
// memo: the same for every prospect of a form.
func stepActions(backURL, submit string) memoized[stepActionsKey] {
	return stepActionsMemo.of(stepActionsKey{backURL, submit})
}
