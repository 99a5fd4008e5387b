//! Leptos components: they wire signals to the pure modules and hold no logic of their own.

use leptos::prelude::*;

/// The whole keyring page.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <main class="fk fk-page">
            <header class="fk-header">
                <h1>"Foundry Keyring"</h1>
                <p class="fk-lede">"Keep your Foundry API keys encrypted in this browser and manage your tokens."</p>
            </header>
            <section aria-labelledby="add-key-title" class="fk-card">
                <h2 id="add-key-title">"Add a key"</h2>
                <label for="paste-key">"Paste your key"</label>
                <input id="paste-key" type="password" autocomplete="off" spellcheck="false" placeholder="abs0_…" />
            </section>
        </main>
    }
}
