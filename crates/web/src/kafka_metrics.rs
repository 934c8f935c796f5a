//! The Kafka metrics panel: the broker and controller metrics an operator watches first
//! (`zkafka_engine::kafka::metrics`), one row per metric, one column per broker and the
//! cluster total, as the playback position's picture reports them. Alarm metrics that are
//! not zero (and an ActiveControllerCount total other than 1) are marked. Shown while the
//! world has brokers. Its texts are here, in both languages, beside what they explain.

use crate::i18n::use_lang;
use crate::sim::Sim;
use leptos::prelude::*;
use zkafka_engine::i18n::Lang;
use zkafka_engine::view::NodeDetail;

/// One broker's column: its id, and its values while its process runs.
type Column = (u32, Option<Vec<(String, u64)>>);

/// What a metric means, in `lang`; `None` for a name the panel does not know.
fn meaning(lang: Lang, name: &str) -> Option<&'static str> {
    Some(match (lang, name) {
        (Lang::En, "UnderReplicatedPartitions") => {
            "partitions this broker leads whose ISR is smaller than their replicas"
        }
        (Lang::En, "UnderMinIsrPartitionCount") => {
            "partitions it leads whose ISR is below min.insync.replicas: acks=all produces fail"
        }
        (Lang::En, "OfflinePartitionsCount") => "on the controller: partitions with no live leader",
        (Lang::En, "ActiveControllerCount") => "1 on the controller; the cluster total must be 1",
        (Lang::En, "IsrShrinksPerSec") => {
            "ISR shrinks this broker made as leader (count since start)"
        }
        (Lang::En, "IsrExpandsPerSec") => "ISR expansions it made as leader (count since start)",
        (Lang::En, "LeaderCount") => "partitions it leads",
        (Lang::En, "PartitionCount") => "partitions it holds a replica of",
        (Lang::Zh, "UnderReplicatedPartitions") => "本 broker 作为 leader、ISR 少于副本数的分区数",
        (Lang::Zh, "UnderMinIsrPartitionCount") => {
            "本 broker 作为 leader、ISR 低于 min.insync.replicas 的分区数：acks=all 写入会失败"
        }
        (Lang::Zh, "OfflinePartitionsCount") => "控制器上：没有存活 leader 的分区数",
        (Lang::Zh, "ActiveControllerCount") => "控制器上为 1；全集群合计必须是 1",
        (Lang::Zh, "IsrShrinksPerSec") => "本 broker 作为 leader 收缩 ISR 的次数（自启动起计）",
        (Lang::Zh, "IsrExpandsPerSec") => "本 broker 作为 leader 扩大 ISR 的次数（自启动起计）",
        (Lang::Zh, "LeaderCount") => "本 broker 担任 leader 的分区数",
        (Lang::Zh, "PartitionCount") => "本 broker 持有副本的分区数",
        _ => return None,
    })
}

/// A value that calls for attention: an alarm metric above zero, or a controller count
/// other than one across the cluster.
fn alarming(name: &str, value: u64, total: bool) -> bool {
    match name {
        "UnderReplicatedPartitions" | "UnderMinIsrPartitionCount" | "OfflinePartitionsCount" => {
            value > 0
        }
        "ActiveControllerCount" => total && value != 1,
        _ => false,
    }
}

/// The panel.
#[component]
pub fn KafkaMetricsPanel(sim: Sim) -> impl IntoView {
    let lang = use_lang();
    let columns = Memo::new(move |_| {
        sim.snap.with(|s| {
            s.view
                .nodes
                .iter()
                .filter_map(|n| match &n.detail {
                    NodeDetail::Broker(b) => Some((b.id, n.up().then(|| b.metrics.clone()))),
                    _ => None,
                })
                .collect::<Vec<Column>>()
        })
    });
    let table = move || {
        let l = lang.get();
        let cols = columns.get();
        let names: Vec<String> = cols
            .iter()
            .find_map(|(_, m)| m.as_ref())
            .map(|m| m.iter().map(|(n, _)| n.clone()).collect())
            .unwrap_or_default();
        let head = cols
            .iter()
            .map(|(id, _)| view! { <th>{format!("broker{id}")}</th> })
            .collect_view();
        let rows = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let values: Vec<Option<u64>> = cols
                    .iter()
                    .map(|(_, m)| m.as_ref().and_then(|m| m.get(i)).map(|(_, v)| *v))
                    .collect();
                let total: u64 = values.iter().flatten().sum();
                let cells = values
                    .into_iter()
                    .map(|v| match v {
                        Some(v) => {
                            let class = if alarming(name, v, false) { "alarm" } else { "" };
                            view! { <td class=class>{v}</td> }.into_any()
                        }
                        None => view! { <td class="off">"–"</td> }.into_any(),
                    })
                    .collect_view();
                let total_class = if alarming(name, total, true) {
                    "total alarm"
                } else {
                    "total"
                };
                let tip = meaning(l, name).unwrap_or_default();
                view! {
                    <tr data-metric=name.clone()>
                        <th scope="row" title=tip><code>{name.clone()}</code><span class="meaning">{tip}</span></th>
                        {cells}
                        <td class=total_class data-testid="metric-total">{total}</td>
                    </tr>
                }
            })
            .collect_view();
        let (title, hint, total) = match l {
            Lang::En => (
                "Broker metrics",
                "JMX names of Kafka 3.8; a stopped broker reports nothing",
                "cluster",
            ),
            Lang::Zh => (
                "Broker 指标",
                "Kafka 3.8 的 JMX 指标名；停止的 broker 不上报",
                "全集群",
            ),
        };
        view! {
            <header class="panel-head">
                <h3>{title}</h3>
                <span class="hint">{hint}</span>
            </header>
            <div class="metrics-scroll">
                <table class="metrics">
                    <thead><tr><th></th>{head}<th>{total}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    };
    view! {
        <Show when=move || !columns.with(Vec::is_empty)>
            <section class="panel kafka-metrics" data-testid="kafka-metrics">{table}</section>
        </Show>
    }
}
