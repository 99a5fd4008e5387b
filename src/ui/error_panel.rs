//! How an API error reaches the person: what happened, what to do, the request id (copyable,
//! it is what Foundry support asks for), and a retry where one can help.

use crate::api::error::ApiError;
use crate::ui::clipboard;
use leptos::prelude::*;

#[component]
pub fn ApiErrorPanel(error: ApiError, #[prop(optional, into)] on_retry: Option<Callback<()>>) -> impl IntoView {
    let copied = RwSignal::new(false);
    let request_id = error.request_id().map(str::to_owned);
    let copy_id = request_id.clone();
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
            {on_retry.map(|retry| view! {
                <button type="button" on:click=move |_| retry.run(())>"Try again"</button>
            })}
        </div>
    }
}
