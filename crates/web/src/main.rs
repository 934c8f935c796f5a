//! zkafka-web: the browser playground. Lessons play back the engine's recorded runs on an
//! animated stage; the sandbox lets you drive the engine yourself.

mod app;
mod controls;
mod event_log;
mod groups;
mod i18n;
mod kafka_metrics;
mod lessons;
mod pages;
mod sim;
mod stage;
mod storage;
mod zab;
mod znodes;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
