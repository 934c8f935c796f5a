//! The app shell: header (name, nav, language toggle) and a small hash router.

use crate::i18n::{LangCtx, load_lang, save_lang, tr};
use crate::pages::home::Home;
use crate::pages::player::Player;
use crate::pages::sandbox::Sandbox;
use leptos::prelude::*;
use zkafka_engine::i18n::Lang;

/// A page of the app, read from `location.hash`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `#/`.
    Home,
    /// `#/lesson/<id>`.
    Lesson(String),
    /// `#/sandbox`.
    Sandbox,
}

impl Route {
    /// Parses a hash such as `#/lesson/zk-leader-election`.
    pub fn parse(hash: &str) -> Route {
        let h = hash.trim_start_matches('#').trim_start_matches('/');
        let h = h.split('?').next().unwrap_or("");
        if let Some(id) = h.strip_prefix("lesson/") {
            Route::Lesson(id.trim_end_matches('/').to_string())
        } else if h.trim_end_matches('/') == "sandbox" {
            Route::Sandbox
        } else {
            Route::Home
        }
    }
}

/// Screens narrower than this get the phone layout of the stage.
pub const NARROW_PX: f64 = 640.0;

/// True while the window is phone-narrow (provided by the app, follows resizes).
#[derive(Clone, Copy)]
pub struct NarrowCtx(pub RwSignal<bool>);

fn is_narrow() -> bool {
    window()
        .inner_width()
        .ok()
        .and_then(|w| w.as_f64())
        .is_some_and(|w| w < NARROW_PX)
}

/// Whether the stage should use its phone layout.
pub fn use_narrow() -> Signal<bool> {
    use_context::<NarrowCtx>()
        .map(|c| c.0.into())
        .unwrap_or_else(|| Signal::stored(false))
}

fn current_route() -> Route {
    Route::parse(&location_hash().unwrap_or_default())
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(load_lang());
    provide_context(LangCtx(lang));
    Effect::new(move |_| {
        let l = lang.get();
        save_lang(l);
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", if l == Lang::Zh { "zh-CN" } else { "en" });
        }
        document().set_title(match l {
            Lang::En => "zkafka: ZooKeeper and Kafka, inside",
            Lang::Zh => "zkafka：ZooKeeper 与 Kafka 内部原理",
        });
    });
    let narrow = RwSignal::new(is_narrow());
    provide_context(NarrowCtx(narrow));
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        let n = is_narrow();
        if narrow.get_untracked() != n {
            narrow.set(n);
        }
    });
    on_cleanup(move || resize.remove());
    let route = RwSignal::new(current_route());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        route.set(current_route());
        window().scroll_to_with_x_and_y(0.0, 0.0);
    });
    on_cleanup(move || handle.remove());
    let toggle = move |_| {
        lang.update(|l| {
            *l = match l {
                Lang::En => Lang::Zh,
                Lang::Zh => Lang::En,
            }
        })
    };
    let is = move |want: &'static str| {
        move || {
            matches!(
                (route.get(), want),
                (Route::Home | Route::Lesson(_), "lessons") | (Route::Sandbox, "sandbox")
            )
        }
    };
    let page = move || match route.get() {
        Route::Home => view! { <Home /> }.into_any(),
        Route::Lesson(id) => view! { <Player id=id /> }.into_any(),
        Route::Sandbox => view! { <Sandbox /> }.into_any(),
    };
    view! {
        <header class="site-head">
            <a class="brand" href="#/">
                <span class="logo" aria-hidden="true">
                    <svg viewBox="0 0 32 32" width="26" height="26">
                        <circle cx="16" cy="6" r="4"></circle>
                        <circle cx="6" cy="24" r="4"></circle>
                        <circle cx="26" cy="24" r="4"></circle>
                        <path d="M16 10 L8 21 M16 10 L24 21 M10 24 H22"></path>
                    </svg>
                </span>
                <span class="name">"zkafka"</span>
                <span class="tagline">{tr(|u| u.tagline)}</span>
            </a>
            <nav class="nav">
                <a href="#/" class:active=is("lessons") data-testid="nav-lessons">{tr(|u| u.nav_lessons)}</a>
                <a href="#/sandbox" class:active=is("sandbox") data-testid="nav-sandbox">{tr(|u| u.nav_sandbox)}</a>
                <button class="lang" data-testid="lang-toggle" on:click=toggle title=tr(|u| u.lang_title)>
                    <span class:on=move || lang.get() == Lang::En>"EN"</span>
                    <span class="sep">"/"</span>
                    <span class:on=move || lang.get() == Lang::Zh>"中文"</span>
                </button>
            </nav>
        </header>
        {page}
    }
}
