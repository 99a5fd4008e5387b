//! How an API error reaches the person: what happened, what to do, the request id (copyable,
//! it is what Foundry support asks for), and a retry only where one can help.

use crate::api::error::ApiError;
use crate::ui::clipboard;
use futures::channel::mpsc::UnboundedSender;
use leptos::prelude::*;

/// What an embedding host hears about an error shown to the person: the title and the request
/// id, nothing from the request or the key.
#[derive(Debug, Clone)]
pub struct ErrorReport {
    pub title: String,
    pub request_id: Option<String>,
}

/// Provided by the embedding surface (src/embed/mod.rs), which turns reports into
/// `foundry-keyring:error` events; absent on the standalone page.
#[derive(Clone)]
pub struct ErrorReports(UnboundedSender<ErrorReport>);

impl ErrorReports {
    pub fn new(sender: UnboundedSender<ErrorReport>) -> Self {
        Self(sender)
    }
}

/// "Request id: …" beside a notice that is not an error panel (the panel's own line can be
/// copied), when the API gave one: it is what Foundry support asks for.
pub fn request_id_line(error: &ApiError) -> Option<AnyView> {
    let id = error.request_id()?.to_owned();
    Some(view! { <p>"Request id: " <code class="fk-request-id">{id}</code></p> }.into_any())
}

#[component]
pub fn ApiErrorPanel(
    error: ApiError,
    #[prop(optional, into)] on_retry: Option<Callback<()>>,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let request_id = error.request_id().map(str::to_owned);
    if let Some(reports) = use_context::<ErrorReports>() {
        // A closed channel (instance unmounted) just drops the report.
        let _ = reports.0.unbounded_send(ErrorReport {
            title: error.title().to_owned(),
            request_id: request_id.clone(),
        });
    }
    let copy_id = request_id.clone();
    // A retry is offered only where the same request may succeed later: a revoked key, a
    // missing permission or a refused redirect stays what it is, and a button that cannot help
    // would only send the person round in circles. The advice says what does help.
    let retry = on_retry.filter(|_| error.is_retryable());
    view! {
        <div class="fk-alert fk-error" role="alert">
            <p class="fk-alert-title">{error.title()}</p>
            <p>{error.to_string()}</p>
            <p>{error.advice()}</p>
            {request_id.map(|id| view! {
                <p>
                    "Request id: " <code class="fk-request-id">{id}</code> " "
                    <button type="button" class="fk-link" on:click=move |_| {
                        if let Some(id) = copy_id.clone() {
                            clipboard::write(&id);
                            copied.set(true);
                        }
                    }>{move || if copied.get() { "Copied" } else { "Copy request id" }}</button>
                </p>
            })}
            {retry.map(|retry| view! {
                <button type="button" on:click=move |_| retry.run(())>"Try again"</button>
            })}
        </div>
    }
    .into_any()
}
