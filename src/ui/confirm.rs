//! A confirmation dialog on the native `<dialog>`: modal, focus kept inside, Escape cancels.

use leptos::html::Dialog;
use leptos::prelude::*;

#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] confirm_label: Signal<String>,
    on_confirm: Callback<()>,
    /// The confirm button's look: destructive actions are red.
    #[prop(optional)]
    safe: bool,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    Effect::new(move |_| {
        let Some(el) = dialog.get() else { return };
        if open.get() {
            if !el.open() {
                let _ = el.show_modal();
            }
        } else if el.open() {
            el.close();
        }
    });
    let title_id = format!("fk-dialog-{}", next_id());
    let labelled_by = title_id.clone();
    view! {
        <dialog node_ref=dialog aria-labelledby=labelled_by on:close=move |_| open.set(false)>
            <h2 id=title_id>{move || title.get()}</h2>
            {children()}
            <div class="fk-actions">
                <button type="button" class=if safe { "fk-primary" } else { "fk-danger" }
                    on:click=move |_| on_confirm.run(())>{move || confirm_label.get()}</button>
                <button type="button" autofocus on:click=move |_| open.set(false)>"Cancel"</button>
            </div>
        </dialog>
    }
    .into_any()
}

/// Unique ids for ARIA references across several instances on one page.
pub fn next_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
