//! The code editor of the policy pages (NCS YAML and IAM statements): a plain textarea,
//! so it works and submits without JavaScript, with a line-number gutter that marks the
//! lines with errors, a wavy underline under the offending word, and a list of errors
//! whose entries select their line. The errors come from the same parser the server
//! runs, compiled to wasm, while typing, and from the server after a submission.

use leptos::html::Textarea;
use leptos::prelude::*;
use policy::ncs::Issue;

/// The character range (UTF-16 units, as the browser counts) of 1-based `line` in
/// `text`, for selecting it in the editor.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(crate) fn line_range(text: &str, line: usize) -> (u32, u32) {
    let mut start = 0usize;
    for (i, l) in text.split('\n').enumerate() {
        let end = start + l.encode_utf16().count();
        if i + 1 == line {
            return (start as u32, end as u32);
        }
        start = end + 1;
    }
    (start as u32, start as u32)
}

/// The text split into plain runs and marked runs: each issue marks the word that
/// starts at its column (at least one character, so an error at a line's end shows).
fn marked_runs(text: &str, issues: &[Issue]) -> Vec<(String, bool)> {
    let mut runs: Vec<(String, bool)> = Vec::new();
    let mut push = |s: String, marked: bool| {
        if s.is_empty() {
            return;
        }
        match runs.last_mut() {
            Some((last, m)) if *m == marked => last.push_str(&s),
            _ => runs.push((s, marked)),
        }
    };
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            push("\n".into(), false);
        }
        let chars: Vec<char> = line.chars().collect();
        let mut marked = vec![false; chars.len() + 1];
        for issue in issues.iter().filter(|is| is.line == i + 1) {
            let start = issue.column.saturating_sub(1).min(chars.len());
            let mut end = start;
            while end < chars.len() && !chars[end].is_whitespace() {
                end += 1;
            }
            for m in marked.iter_mut().take(end.max(start + 1)).skip(start) {
                *m = true;
            }
        }
        for (j, c) in chars.iter().enumerate() {
            push(c.to_string(), marked[j]);
        }
        if marked[chars.len()] {
            // Past the last character: a marked space, so the underline shows.
            push(" ".into(), true);
        }
    }
    runs
}

/// Focuses the editor with 1-based `line` selected (in the browser; nothing on the server).
pub fn select_line(area: NodeRef<Textarea>, text: &str, line: usize) {
    #[cfg(feature = "hydrate")]
    if let Some(el) = area.get_untracked() {
        let (start, end) = line_range(text, line);
        let _ = el.focus();
        let _ = el.set_selection_range(start, end);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (area, text, line);
}

/// The errors as a list; each entry selects its line in the editor.
pub fn issue_list(
    issues: Vec<Issue>,
    testid: &'static str,
    area: NodeRef<Textarea>,
    text: Signal<String>,
) -> impl IntoView {
    let goto = move |line: usize| select_line(area, &text.get_untracked(), line);
    view! {
        <ul class="issue-list" data-testid=testid>
            {issues.into_iter().map(|i| {
                let line = i.line;
                view! {
                    <li>
                        <button type="button" class="issue-line" on:click=move |_| goto(line)>{format!("Line {}, column {}", i.line, i.column)}</button>
                        " " {i.message}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// The editor itself. `text` follows every keystroke; `issues` are the errors to mark.
#[component]
pub fn CodeEditor(
    /// The textarea's id, for its `<label for>`.
    id: &'static str,
    /// The form field's name.
    name: &'static str,
    /// The text as first shown (the stored document, or what a refused post kept).
    initial: String,
    text: ReadSignal<String>,
    set_text: WriteSignal<String>,
    #[prop(into)] issues: Signal<Vec<Issue>>,
    area: NodeRef<Textarea>,
    #[prop(optional)] readonly: bool,
    /// The id of the element that describes the state of the text (the lint area).
    describedby: &'static str,
    /// Called on every edit (to clear a stale server answer).
    #[prop(optional)]
    on_edit: Option<Callback<()>>,
) -> impl IntoView {
    let bad_lines = move || {
        let mut lines: Vec<usize> = issues.get().iter().map(|i| i.line).collect();
        lines.sort_unstable();
        lines.dedup();
        lines
    };
    let lines = move || text.with(|t| t.split('\n').count()).max(1);
    // The textarea is as wide and as tall as its text, so that it never scrolls by
    // itself: the box around it scrolls, and the underline layer behind it with it.
    let cols = move || {
        text.with(|t| t.split('\n').map(|l| l.chars().count()).max().unwrap_or(0) + 2)
            .max(40)
    };
    view! {
        <div class="editor">
            <pre class="editor-gutter" aria-hidden="true">
                {move || {
                    let bad = bad_lines();
                    (1..=lines()).map(|i| {
                        let class = if bad.contains(&i) { "gutter-line gutter-bad" } else { "gutter-line" };
                        view! { <span class=class data-testid=bad.contains(&i).then_some("gutter-bad")>{i}</span> }
                    }).collect_view()
                }}
            </pre>
            <div class="editor-body">
                <pre class="editor-marks mono" aria-hidden="true">
                    {move || {
                        let issues = issues.get();
                        text.with(|t| marked_runs(t, &issues)).into_iter().map(|(run, marked)| {
                            if marked {
                                view! { <mark class="issue-mark" data-testid="issue-mark">{run}</mark> }.into_any()
                            } else {
                                run.into_any()
                            }
                        }).collect_view()
                    }}
                    "\n"
                </pre>
                <textarea
                    id=id
                    class="editor-text mono"
                    name=name
                    node_ref=area
                    spellcheck="false"
                    wrap="off"
                    autocomplete="off"
                    readonly=readonly
                    rows=move || (lines() + 1).max(12).to_string()
                    cols=move || cols().to_string()
                    aria-describedby=describedby
                    on:input=move |ev| {
                        set_text.set(event_target_value(&ev));
                        if let Some(cb) = on_edit {
                            cb.run(());
                        }
                    }
                >{initial}</textarea>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ranges_count_utf16_units() {
        let text = "kind: x\nname: é\n\nlast";
        assert_eq!(line_range(text, 1), (0, 7));
        assert_eq!(line_range(text, 2), (8, 15));
        assert_eq!(line_range(text, 3), (16, 16));
        assert_eq!(line_range(text, 4), (17, 21));
    }

    #[test]
    fn issues_mark_the_word_at_their_column() {
        let issue = |line, column| Issue {
            line,
            column,
            message: String::new(),
        };
        let runs = marked_runs("Allow group A to fly x\nnext", &[issue(1, 18)]);
        assert_eq!(
            runs,
            vec![
                ("Allow group A to ".into(), false),
                ("fly".into(), true),
                (" x\nnext".into(), false)
            ]
        );
        // At the end of a line, a marked space.
        let runs = marked_runs("Allow", &[issue(1, 6)]);
        assert_eq!(runs, vec![("Allow".into(), false), (" ".into(), true)]);
    }
}
