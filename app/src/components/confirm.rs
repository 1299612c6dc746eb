//! The one confirmation of every destructive action.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The query parameter that opens a confirmation without JavaScript.
pub const CONFIRM_PARAM: &str = "confirm";

/// A destructive action behind a confirmation dialog that names the object and the
/// consequence, with Cancel.
///
/// With JavaScript the trigger opens a modal `<dialog>`: Escape or Cancel close it and
/// focus returns to the trigger; confirming posts the action without a page load.
/// Without JavaScript the trigger is a link to the same page with `?confirm=<key>`, which
/// renders the dialog open (a confirmation page); confirming posts the form, and the
/// browser comes back to the page without the parameter (see `server::forms`), Cancel
/// is a link back.
#[component]
pub fn Confirm<S, P>(
    action: ServerAction<S>,
/// The visible action (`Delete`, `Revoke`, `Remove`).
    summary: &'static str,
/// The trigger's accessible name, naming the object (`Delete workspace ide-a`).
    #[prop(into)]
    label: String,
/// The dialog's accessible name (`Confirm deletion`).
    dialog: &'static str,
/// The confirming button (`Yes, delete`).
    confirm: &'static str,
/// Hidden form fields: the server function's arguments.
    fields: Vec<(&'static str, String)>,
/// The question: the object and the consequence.
    children: Children,
) -> impl IntoView
where
    S: serde::de::DeserializeOwned
        + leptos::server_fn::ServerFn<
            Protocol = leptos::server_fn::Http<leptos::server_fn::codec::PostUrl, P>,
        > + Clone
        + Send
        + Sync
        + 'static,
    <<S::Client as leptos::server_fn::client::Client<S::Error>>::Request as leptos::server_fn::request::ClientReq<
        S::Error,
    >>::FormData: From<leptos::web_sys::FormData>,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
    S::Client: leptos::server_fn::client::Client<S::Error>,
{
    let key = slug(&label);
    // Read once: this component may be made after an `.await` of the page's render,
    // when the route's memos can already be gone.
    let query: Vec<(String, String)> = use_query_map()
        .try_get_untracked()
        .map(|q| {
            q.into_iter()
                .filter(|(k, _)| k != CONFIRM_PARAM)
                .map(|(k, v)| (k.into_owned(), v))
                .collect()
        })
        .unwrap_or_default();
    let open_now = use_query_map()
        .try_get_untracked()
        .and_then(|q| q.get(CONFIRM_PARAM))
        .is_some_and(|k| k == key);
    let path = leptos_router::hooks::use_location()
        .pathname
        .try_get_untracked()
        .unwrap_or_default();
    let pairs: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let cancel_href = format!("{path}{}", super::query_string(&pairs));
    let mut with_key = pairs.clone();
    with_key.push((CONFIRM_PARAM, key.as_str()));
    let open_href = super::query_string(&with_key);

    let dialog_ref = NodeRef::<leptos::html::Dialog>::new();
    let trigger = NodeRef::<leptos::html::A>::new();
    let close = move || {
        if let Some(d) = dialog_ref.get_untracked() {
            d.close();
        }
    };
    // Whatever the answer, the dialog closes; the page shows the outcome.
    Effect::watch(
        move || action.version().get(),
        move |_, _, _| close(),
        false,
    );
    let title_id = format!("{key}-title");
    let labelled_by = title_id.clone();
    view! {
        <a class="btn btn-danger btn-sm" href=open_href role="button" aria-haspopup="dialog" aria-label=label node_ref=trigger
            on:click=move |ev| {
                if let Some(d) = dialog_ref.get_untracked() {
                    ev.prevent_default();
                    let _ = d.show_modal();
                }
            }>{summary}</a>
        <dialog class="confirm" node_ref=dialog_ref open=open_now aria-labelledby=labelled_by
            on:close=move |_| {
                if let Some(t) = trigger.get_untracked() {
                    let _ = t.focus();
                }
            }>
            <h2 class="confirm-title" id=title_id>{dialog}</h2>
            <p>{children()}</p>
            <ActionForm action=action attr:class="confirm-actions">
                {fields.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
                <a class="btn" href=cancel_href role="button" on:click=move |ev| {
                    ev.prevent_default();
                    close();
                }>"Cancel"</a>
                <button class="btn btn-danger" type="submit" autofocus=true>{confirm}</button>
            </ActionForm>
        </dialog>
    }
}

/// A URL- and id-safe key from a label (`Delete workspace ide-a` → `delete-workspace-ide-a`).
fn slug(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_are_plain() {
        assert_eq!(
            super::slug("Delete workspace ide-a"),
            "delete-workspace-ide-a"
        );
        assert_eq!(super::slug("Remove a@b.example"), "remove-a-b-example");
    }
}
