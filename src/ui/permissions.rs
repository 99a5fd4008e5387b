//! What the key in use may do. Resources with the same actions are one group ("Full access to
//! 21 resources", "List and read on 6 resources"), so an admin's 168 permissions are one line
//! rather than a wall of chips; the resources of each group are behind a disclosure button,
//! closed at first when there are many, so the tokens below are not pushed out of sight.

use crate::api::models::{ACTIONS, WhoAmI};
use crate::restrictions::{group_permissions, permissions_headline, permissions_start_collapsed};
use leptos::prelude::*;

#[component]
pub fn PermissionsPanel(who: WhoAmI) -> impl IntoView {
    let groups = group_permissions(&who.permissions_by_resource());
    let open = RwSignal::new(!permissions_start_collapsed(&groups));
    let resources: usize = groups.iter().map(|g| g.resources.len()).sum();
    let headline = (groups.len() > 1).then(|| permissions_headline(&groups));
    let empty = groups.is_empty();
    let every_action = ACTIONS.join(", ");
    view! {
        <section class="fk-card" aria-labelledby="fk-permissions-title">
            <h2 id="fk-permissions-title">"What this key may do"</h2>
            {empty.then(|| view! { <p>"This key grants no permissions."</p> })}
            {headline.map(|text| view! { <p class="fk-perm-headline">{text}</p> })}
            {(!empty).then(|| view! {
                <dl class="fk-perm-groups" id="fk-permission-groups">
                    {groups.into_iter().map(|group| {
                        let headline = group.headline();
                        let label = format!("{headline}: the resources");
                        let full = group.is_full();
                        let every_action = every_action.clone();
                        view! {
                            <dt>
                                {headline}
                                {full.then(|| view! { <span class="fk-hint">" (every action: " {every_action} ")"</span> })}
                            </dt>
                            <dd hidden=move || !open.get()>
                                <ul class="fk-chips" aria-label=label>
                                    {group.resources.into_iter().map(|r| view! { <li class="fk-chip">{r}</li> }).collect_view()}
                                </ul>
                            </dd>
                        }
                    }).collect_view()}
                </dl>
                <button type="button" class="fk-link" aria-controls="fk-permission-groups"
                    aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                    {move || if open.get() {
                        "Hide the resources".to_owned()
                    } else {
                        format!("Show the {}", crate::format::count(resources as u64, "resource", "resources"))
                    }}
                </button>
            })}
        </section>
    }
    .into_any()
}
