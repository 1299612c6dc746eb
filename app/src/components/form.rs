//! Forms, with and without JavaScript, through one path.
//!
//! With JavaScript an `ActionForm` posts through fetch and its action's value holds the
//! answer. Without it the browser posts the form itself, and the server answers every
//! such post the same way (`server::forms`): it keeps the outcome (the server function's
//! output or error, and on error the submitted values) in the session as a
//! [`FormEcho`], and sends the browser back to the page it came from. That page's render
//! takes the echo out and gives it to the action of the same server function, so the
//! page shows the same inline errors, the same kept values and the same success message
//! as it would have with JavaScript. A page gets all of this by creating its actions with
//! [`form_action`] and its fields with [`Field`].

use super::FieldError;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The outcome of a form posted without JavaScript, kept for the one page view it was
/// redirected to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormEcho {
    /// The server function's path (`/fn/create_tenant`): only its action takes the echo.
    pub action: String,
    /// Whether the server function succeeded.
    pub ok: bool,
    /// Its JSON answer: the output on success, the [`AppError`] otherwise.
    pub body: String,
    /// The submitted fields, so the form can show what was typed.
    pub values: Vec<(String, String)>,
}

impl FormEcho {
    /// The action value this echo stands for, when it answers the server function `S`.
    fn value_for<S>(&self) -> Option<Result<S::Output, AppError>>
    where
        S: leptos::server_fn::ServerFn,
        S::Output: serde::de::DeserializeOwned,
    {
        if self.action != S::PATH {
            return None;
        }
        Some(if self.ok {
            serde_json::from_str(&self.body).map_err(|_| AppError::Internal)
        } else {
            Err(serde_json::from_str(&self.body).unwrap_or(AppError::Internal))
        })
    }
}

/// The name of the `<meta>` element that carries the echo from the server's render to
/// the hydrating browser, so both render the same page.
pub const ECHO_META: &str = "tenantry-form-echo";

/// The echo of this page view, provided once by [`provide_form_echo`]. It holds until
/// the first client-side navigation (see [`forget_echo_on_navigation`]).
#[derive(Clone, Copy)]
struct EchoSlot(RwSignal<Option<FormEcho>>);

/// Makes this page view's echo available to its forms: on the server from the request
/// (the form middleware put it there), in the browser from the `<meta>` the server
/// rendered.
pub fn provide_form_echo() {
    provide_context(EchoSlot(RwSignal::new(current_echo())));
}

#[cfg(feature = "ssr")]
fn current_echo() -> Option<FormEcho> {
    use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<FormEcho>().cloned())
}

#[cfg(not(feature = "ssr"))]
fn current_echo() -> Option<FormEcho> {
    #[cfg(feature = "hydrate")]
    {
        let meta = document()
            .query_selector(&format!("meta[name=\"{ECHO_META}\"]"))
            .ok()
            .flatten()?;
        serde_json::from_str(&meta.get_attribute("content")?).ok()
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// The `<meta>` for the document head that hands the echo to the browser (the server
/// renders the head; the browser only hydrates the body).
pub fn echo_meta() -> impl IntoView {
    current_echo()
        .and_then(|e| serde_json::to_string(&e).ok())
        .map(|json| view! { <meta name=ECHO_META content=json/> })
}

/// Drops the echo at the first navigation inside the app, so a page visited later does
/// not show an old answer.
pub fn forget_echo_on_navigation() {
    let Some(slot) = use_context::<EchoSlot>() else {
        return;
    };
    let location = leptos_router::hooks::use_location();
    Effect::watch(
        move || location.pathname.get(),
        move |_, _, _| slot.0.set(None),
        false,
    );
}

fn echo() -> Option<FormEcho> {
    use_context::<EchoSlot>().and_then(|s| s.0.get_untracked())
}

/// A server action whose value starts from this page view's echo, when the page was
/// reached by posting its form without JavaScript. Use it for every action a form posts.
#[track_caller]
pub fn form_action<S>() -> ServerAction<S>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: serde::de::DeserializeOwned + Send + Sync + 'static,
{
    let action = ServerAction::<S>::new();
    if let Some(value) = echo().and_then(|e| e.value_for::<S>()) {
        action.value().set(Some(value));
    }
    action
}

/// What a form's fields need from its action: its error, and the values kept from a
/// refused post without JavaScript. Copy, so every field can hold one.
#[derive(Clone, Copy)]
pub struct FormState {
    error: Signal<Option<AppError>>,
    /// Counts answers, so a field's "edited since" mark resets with each new answer.
    version: Signal<usize>,
    kept: StoredValue<Vec<(String, String)>>,
}

impl FormState {
    /// The state of the form that posts `action`: a refused post keeps its values, an
    /// accepted one starts afresh (as the form does with JavaScript).
    pub fn of<S>(action: ServerAction<S>) -> Self
    where
        S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        Self::new(action, false)
    }

    /// The state of a query form (a check): its values stay beside the answer.
    pub fn sticky<S>(action: ServerAction<S>) -> Self
    where
        S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        Self::new(action, true)
    }

    fn new<S>(action: ServerAction<S>, keep_on_success: bool) -> Self
    where
        S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        let kept = echo()
            .filter(|e| e.action == S::PATH && (keep_on_success || !e.ok))
            .map(|e| e.values)
            .unwrap_or_default();
        FormState {
            error: Signal::derive(move || action.value().get().and_then(Result::err)),
            version: Signal::derive(move || action.version().get()),
            kept: StoredValue::new(kept),
        }
    }

    /// The error message of one field.
    pub fn field_error(self, name: &'static str) -> Signal<Option<String>> {
        Signal::derive(move || self.error.get().and_then(|e| e.for_field(name)))
    }

    /// The value submitted for `name` in a refused post without JavaScript.
    pub fn kept(self, name: &str) -> Option<String> {
        self.kept
            .with_value(|k| k.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()))
    }

    /// The error banner above the form, for everything not tied to one of `fields`.
    pub fn banner(self, fields: &'static [&'static str]) -> impl IntoView {
        move || {
            self.error
                .get()
                .and_then(|e| e.form_message(fields))
                .map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })
        }
    }
}

/// A labelled form field with its hint and inline error. The error goes away as soon as
/// the field is edited, and comes back only with the next answer; a value refused
/// without JavaScript is filled in again.
#[component]
pub fn Field(
    form: FormState,
    /// The input's `name`: the server function's argument.
    name: &'static str,
    /// The element id (unique on the page).
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] required: bool,
    /// The value to start from when nothing was kept.
    #[prop(optional, into)]
    value: String,
    #[prop(optional)] min: Option<&'static str>,
    #[prop(optional)] max: Option<&'static str>,
    /// The id of a `<datalist>` of suggestions.
    #[prop(optional)]
    list: Option<&'static str>,
    #[prop(optional)] class: Option<&'static str>,
    /// Extra classes of the field's box (`field-narrow`).
    #[prop(optional)]
    wrap: Option<&'static str>,
    /// A multi-line text area of this many rows instead of an input.
    #[prop(optional)]
    rows: Option<u32>,
    /// A select of these (value, label) choices instead of an input.
    #[prop(optional)]
    options: Option<Vec<(String, String)>>,
) -> impl IntoView {
    let edited = RwSignal::new(false);
    Effect::watch(
        move || form.version.get(),
        move |_, _, _| edited.set(false),
        false,
    );
    let error = Signal::derive(move || {
        if edited.get() {
            None
        } else {
            form.field_error(name).get()
        }
    });
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = match hint {
        Some(_) => format!("{hint_id} {error_id}"),
        None => error_id.clone(),
    };
    let value = form.kept(name).unwrap_or(value);
    let wrap = match wrap {
        Some(extra) => format!("field {extra}"),
        None => "field".to_string(),
    };
    let invalid = move || error.get().is_some().to_string();
    let control = match (rows, options) {
        (_, Some(options)) => view! {
            <select id=id.clone() name=name required=required class=class aria-invalid=invalid
                aria-describedby=described on:change=move |_| edited.set(true)>
                {options.into_iter().map(|(v, l)| {
                    let selected = v == value;
                    view! { <option value=v selected=selected>{l}</option> }
                }).collect_view()}
            </select>
        }.into_any(),
        (Some(rows), None) => view! {
            <textarea id=id.clone() name=name rows=rows placeholder=placeholder required=required class=class
                autocomplete="off" spellcheck="false" aria-invalid=invalid aria-describedby=described
                on:input=move |_| edited.set(true)>{value}</textarea>
        }.into_any(),
        (None, None) => view! {
            <input id=id.clone() type=kind name=name value=value placeholder=placeholder required=required min=min max=max
                list=list class=class autocomplete="off"
                aria-invalid=invalid
                aria-describedby=described
                on:input=move |_| edited.set(true)/>
        }.into_any(),
    };
    view! {
        <div class=wrap>
            <label for=id>{label}</label>
            {control}
            {hint.map(|h| view! { <p class="field-hint" id=hint_id>{h}</p> })}
            <FieldError id=error_id message=error/>
        </div>
    }
}

/// The success message of an action, named by `message` from its output (`Tenant acme
/// created.`), with an optional link. It hides while the next submission is on its way,
/// so an old success never stands beside a new refusal.
#[component]
pub fn Success<S>(
    action: ServerAction<S>,
    message: fn(&S::Output) -> (String, Option<String>),
) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        if action.pending().get() {
            return None;
        }
        action.value().get().and_then(Result::ok).map(|out| {
            let (text, link) = message(&out);
            view! {
                <div class="alert alert-success" role="status" data-testid="form-success">
                    {text}
                    {link.map(|href| view! { " " <a href=href>"Open"</a> })}
                </div>
            }
        })
    }
}

/// An edit form inside a table row, behind an "Edit" disclosure (a `<details>`, so it
/// opens without JavaScript). It opens by itself on the page a refused edit of this row
/// came back to, and closes once an edit is saved.
#[component]
pub fn EditInline<S, P>(
    action: ServerAction<S>,
/// The disclosure's accessible name (`Edit workspace ide-a`).
    #[prop(into)]
    label: String,
/// Open from the start (a refused edit of this row).
    #[prop(optional)]
    open: bool,
/// Hidden form fields: the server function's fixed arguments.
    fields: Vec<(&'static str, String)>,
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
    let details = NodeRef::<leptos::html::Details>::new();
    Effect::watch(
        move || action.value().with(|v| matches!(v, Some(Ok(_)))),
        move |saved, _, _| {
            if *saved {
                if let Some(d) = details.get_untracked() {
                    let _ = d.remove_attribute("open");
                }
            }
        },
        false,
    );
    view! {
        <details class="row-edit" open=open node_ref=details>
            <summary class="btn btn-sm" aria-label=label>"Edit"</summary>
            <ActionForm action=action attr:class="row-edit-form">
                {fields.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
                {children()}
                <div class="form-actions">
                    <button class="btn btn-primary btn-sm" type="submit">"Save"</button>
                </div>
            </ActionForm>
        </details>
    }
}
