//! Where each node sits on the stage: ZooKeeper servers on a ring at the top, Kafka
//! brokers in a column below with the producer on the left and the consumer on the right.
//! Also the curved paths messages travel along.

use std::collections::BTreeMap;
use zkafka_engine::NodeId;
use zkafka_engine::view::{NodeDetail, WorldView};

/// Stage width in SVG units (the viewBox scales it to the screen).
pub const WIDTH: f64 = 1000.0;
/// Height of one partition row in a broker card.
pub const ROW_H: f64 = 64.0;
/// Height of a broker card's header.
pub const BROKER_HEAD: f64 = 30.0;
/// Chips shown per row in the consumer card (wide layout).
pub const VALUES_PER_ROW: usize = 3;

/// A point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pt {
    /// x.
    pub x: f64,
    /// y.
    pub y: f64,
}

/// A rectangle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// The centre.
    pub fn center(&self) -> Pt {
        Pt {
            x: self.x + self.w / 2.0,
            y: self.y + self.h / 2.0,
        }
    }

    /// Where the ray from the centre toward `to` leaves the rectangle (plus `pad`).
    pub fn exit_toward(&self, to: Pt, pad: f64) -> Pt {
        let c = self.center();
        let (dx, dy) = (to.x - c.x, to.y - c.y);
        if dx.abs() < 1e-9 && dy.abs() < 1e-9 {
            return c;
        }
        let tx = if dx.abs() < 1e-9 {
            f64::INFINITY
        } else {
            (self.w / 2.0 + pad) / dx.abs()
        };
        let ty = if dy.abs() < 1e-9 {
            f64::INFINITY
        } else {
            (self.h / 2.0 + pad) / dy.abs()
        };
        let t = tx.min(ty).min(1.0);
        Pt {
            x: c.x + dx * t,
            y: c.y + dy * t,
        }
    }
}

/// The ellipse the ZooKeeper servers sit on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ring {
    /// Centre x.
    pub cx: f64,
    /// Centre y.
    pub cy: f64,
    /// Horizontal radius.
    pub rx: f64,
    /// Vertical radius.
    pub ry: f64,
}

/// The placement of every node.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// viewBox width.
    pub width: f64,
    /// viewBox height.
    pub height: f64,
    /// Phone layout: servers in a grid, Kafka stacked vertically.
    pub narrow: bool,
    /// Each node's card.
    pub boxes: BTreeMap<NodeId, Rect>,
    /// Partition rows per broker, in order.
    pub rows: BTreeMap<u32, Vec<String>>,
    /// Partitions the producer and consumer list.
    pub client_rows: Vec<String>,
    /// Value chips per row in the consumer card.
    pub values_per_row: usize,
    /// The ring, when there are ZooKeeper servers on one.
    pub ring: Option<Ring>,
}

fn zk_card(n: usize) -> (f64, f64, f64, f64) {
    // (card width, card height, horizontal radius, vertical radius): an ellipse, wider
    // than tall, so the ring fills a landscape stage.
    match n {
        0..=3 => (180.0, 100.0, 250.0, 150.0),
        4..=5 => (176.0, 100.0, 320.0, 175.0),
        6 => (172.0, 100.0, 330.0, 185.0),
        7 => (160.0, 100.0, 345.0, 195.0),
        _ => (136.0, 96.0, 360.0, 205.0),
    }
}

/// A ZooKeeper client card's width.
pub const ZK_CLIENT_W: f64 = 200.0;
/// A ZooKeeper client card's height.
pub const ZK_CLIENT_H: f64 = 92.0;

/// Width of the narrow (phone) stage.
pub const NARROW_WIDTH: f64 = 600.0;
/// Width of the narrow stage when it shows only ZooKeeper servers.
pub const NARROW_ZK_WIDTH: f64 = 460.0;
const BROKER_W: f64 = 470.0;

/// The consumer card's height for `rows` partitions.
pub fn consumer_height(rows: usize, per_row: usize) -> f64 {
    let value_rows = (VALUES_SHOWN).div_ceil(per_row.max(1)) as f64;
    40.0 + rows.max(1) as f64 * (36.0 + 22.0 * value_rows)
}

/// Values shown per partition in the consumer card.
pub const VALUES_SHOWN: usize = 12;

/// The internal topic (a name starting with `__`) a `topic-partition` belongs to.
pub fn internal_topic(tp: &str) -> Option<&str> {
    tp.rsplit_once('-')
        .map(|(t, _)| t)
        .filter(|t| t.starts_with("__"))
}

impl Layout {
    /// Lays out the nodes of `v`; `narrow` for phone screens.
    pub fn of(v: &WorldView, narrow: bool) -> Layout {
        let mut zk: Vec<NodeId> = Vec::new();
        let mut zk_clients: Vec<NodeId> = Vec::new();
        let mut stores: Vec<NodeId> = Vec::new();
        let mut brokers: Vec<(u32, Vec<String>)> = Vec::new();
        let mut producers: Vec<NodeId> = Vec::new();
        let mut consumer = None;
        let mut client_rows: Vec<String> = Vec::new();
        for n in &v.nodes {
            match &n.detail {
                NodeDetail::Zk(_) => zk.push(n.id),
                NodeDetail::ZkClient(_) => zk_clients.push(n.id),
                NodeDetail::Store(_) => stores.push(n.id),
                NodeDetail::Broker(b) => {
                    // An internal topic (`__transaction_state`, 50 partitions by default)
                    // is one summary row, not a row per partition.
                    let mut rows: Vec<String> = Vec::new();
                    for r in &b.replicas {
                        let row = match internal_topic(&r.tp) {
                            Some(t) => t.to_string(),
                            None => r.tp.clone(),
                        };
                        if !rows.contains(&row) {
                            rows.push(row);
                        }
                    }
                    brokers.push((b.id, rows));
                }
                NodeDetail::Producer(p) => {
                    producers.push(n.id);
                    for (tp, ..) in &p.partitions {
                        if !client_rows.contains(tp) {
                            client_rows.push(tp.clone());
                        }
                    }
                }
                NodeDetail::Consumer(c) => {
                    consumer = Some(n.id);
                    for (tp, ..) in &c.partitions {
                        if !client_rows.contains(tp) {
                            client_rows.push(tp.clone());
                        }
                    }
                }
            }
        }
        client_rows.sort();
        let only_zk = brokers.is_empty() && producers.is_empty() && consumer.is_none();
        let width = match (narrow, only_zk) {
            (false, _) => WIDTH,
            (true, true) => NARROW_ZK_WIDTH,
            (true, false) => NARROW_WIDTH,
        };
        let mut l = Layout {
            width,
            height: 0.0,
            narrow,
            boxes: BTreeMap::new(),
            rows: BTreeMap::new(),
            client_rows,
            values_per_row: if narrow { 7 } else { VALUES_PER_ROW },
            ring: None,
        };
        let mut y = 0.0;
        if !zk.is_empty() {
            y = if narrow {
                l.zk_grid(&zk, width)
            } else {
                l.zk_ring(&zk)
            };
        }
        if !zk_clients.is_empty() {
            y = l.zk_clients(y, &zk_clients, width);
        }
        // Stores in a row of their own under the clients that write to them.
        if !stores.is_empty() {
            y = l.zk_clients(y, &stores, width);
        }
        if !brokers.is_empty() || !producers.is_empty() || consumer.is_some() {
            y = if narrow {
                l.kafka_stack(y, &brokers, &producers, consumer)
            } else {
                l.kafka_wide(y, &brokers, &producers, consumer)
            };
        }
        l.height = y.max(if narrow { 200.0 } else { 320.0 });
        l
    }

    fn zk_ring(&mut self, zk: &[NodeId]) -> f64 {
        let n = zk.len();
        let (w, h, rx, ry) = zk_card(n);
        let cy = 34.0 + h / 2.0 + ry;
        let cx = WIDTH / 2.0;
        for (i, id) in zk.iter().enumerate() {
            let a = -std::f64::consts::FRAC_PI_2 + i as f64 * std::f64::consts::TAU / n as f64;
            let (px, py) = (cx + rx * a.cos(), cy + ry * a.sin());
            self.boxes.insert(
                *id,
                Rect {
                    x: px - w / 2.0,
                    y: py - h / 2.0,
                    w,
                    h,
                },
            );
        }
        self.ring = Some(Ring { cx, cy, rx, ry });
        cy + ry + h / 2.0 + 24.0
    }

    /// ZooKeeper clients in a row (wrapping) below the servers.
    fn zk_clients(&mut self, y: f64, clients: &[NodeId], width: f64) -> f64 {
        let (w, h, gap) = (ZK_CLIENT_W, ZK_CLIENT_H, 24.0);
        let per_row = (((width - gap) / (w + gap)).floor() as usize).max(1);
        let top = y + 16.0;
        for (i, id) in clients.iter().enumerate() {
            let (row, col) = (i / per_row, i % per_row);
            let in_row = (clients.len() - row * per_row).min(per_row);
            let row_w = in_row as f64 * w + (in_row as f64 - 1.0) * gap;
            let x0 = (width - row_w) / 2.0;
            self.boxes.insert(
                *id,
                Rect {
                    x: x0 + col as f64 * (w + gap),
                    y: top + row as f64 * (h + gap),
                    w,
                    h,
                },
            );
        }
        top + clients.len().div_ceil(per_row) as f64 * (h + gap)
    }

    fn zk_grid(&mut self, zk: &[NodeId], width: f64) -> f64 {
        // Two columns; an odd last server sits in the middle.
        let (w, h, gx, gy) = (190.0, 100.0, 44.0, 44.0);
        let x0 = (width - 2.0 * w - gx) / 2.0;
        let n = zk.len();
        for (i, id) in zk.iter().enumerate() {
            let (row, col) = (i / 2, i % 2);
            let last_alone = n % 2 == 1 && i == n - 1;
            let x = if last_alone {
                (width - w) / 2.0
            } else {
                x0 + col as f64 * (w + gx)
            };
            self.boxes.insert(
                *id,
                Rect {
                    x,
                    y: 30.0 + row as f64 * (h + gy),
                    w,
                    h,
                },
            );
        }
        30.0 + n.div_ceil(2) as f64 * (h + gy)
    }

    fn kafka_wide(
        &mut self,
        y: f64,
        brokers: &[(u32, Vec<String>)],
        producers: &[NodeId],
        consumer: Option<NodeId>,
    ) -> f64 {
        let top = y + 24.0;
        let mut by = top;
        for (id, r) in brokers {
            let h = BROKER_HEAD + ROW_H * r.len().max(1) as f64 + 6.0;
            self.boxes.insert(
                NodeId::Broker(*id),
                Rect {
                    x: 250.0,
                    y: by,
                    w: BROKER_W,
                    h,
                },
            );
            self.rows.insert(*id, r.clone());
            by += h + 22.0;
        }
        let column_h = (by - 22.0 - top).max(140.0);
        let crow = self.client_rows.len().max(1) as f64;
        // Producers one above the other, the stack centred on the broker column.
        let ph = 58.0 + 34.0 * crow;
        let stack = producers.len() as f64 * (ph + 16.0) - 16.0;
        let mut py = top + (column_h - stack).max(0.0) / 2.0;
        for p in producers {
            self.boxes.insert(
                *p,
                Rect {
                    x: 16.0,
                    y: py,
                    w: 190.0,
                    h: ph,
                },
            );
            py += ph + 16.0;
        }
        if let Some(c) = consumer {
            let h = consumer_height(self.client_rows.len(), self.values_per_row);
            self.boxes.insert(
                c,
                Rect {
                    x: 800.0,
                    y: top + (column_h - h).max(0.0) / 2.0,
                    w: 186.0,
                    h,
                },
            );
        }
        let bottom = self
            .boxes
            .values()
            .map(|r| r.y + r.h)
            .fold(top + column_h, f64::max);
        bottom + 24.0
    }

    fn kafka_stack(
        &mut self,
        y: f64,
        brokers: &[(u32, Vec<String>)],
        producers: &[NodeId],
        consumer: Option<NodeId>,
    ) -> f64 {
        // Producer on top, brokers, consumer at the bottom; client traffic arcs on the
        // left, replication traffic on the right.
        let x = 52.0;
        let mut at = y + 20.0;
        let crow = self.client_rows.len().max(1) as f64;
        for p in producers {
            let h = 58.0 + 34.0 * crow;
            self.boxes.insert(
                *p,
                Rect {
                    x,
                    y: at,
                    w: BROKER_W,
                    h,
                },
            );
            at += h + 26.0;
        }
        for (id, r) in brokers {
            let h = BROKER_HEAD + ROW_H * r.len().max(1) as f64 + 6.0;
            self.boxes.insert(
                NodeId::Broker(*id),
                Rect {
                    x,
                    y: at,
                    w: BROKER_W,
                    h,
                },
            );
            self.rows.insert(*id, r.clone());
            at += h + 22.0;
        }
        if let Some(c) = consumer {
            at += 4.0;
            let h = consumer_height(self.client_rows.len(), self.values_per_row);
            self.boxes.insert(
                c,
                Rect {
                    x,
                    y: at,
                    w: BROKER_W,
                    h,
                },
            );
            at += h + 22.0;
        }
        at + 4.0
    }

    /// The curve (start, control, end) a message from `from` to `to` travels along, or
    /// `None` when either is not on the stage.
    pub fn path(&self, from: NodeId, to: NodeId) -> Option<(Pt, Pt, Pt)> {
        let a = self.boxes.get(&from)?;
        let b = self.boxes.get(&to)?;
        match (from, to) {
            (NodeId::Broker(i), NodeId::Broker(j)) => {
                // Replication traffic arcs outside the broker column, on the right.
                let (pa, pb) = (
                    Pt {
                        x: a.x + a.w,
                        y: a.center().y,
                    },
                    Pt {
                        x: b.x + b.w,
                        y: b.center().y,
                    },
                );
                let span = (i as f64 - j as f64).abs();
                let bulge = 34.0 + 22.0 * span + if i < j { 0.0 } else { 16.0 };
                let c = Pt {
                    x: pa.x + bulge,
                    y: (pa.y + pb.y) / 2.0,
                };
                Some((pa, c, pb))
            }
            (NodeId::Producer(_) | NodeId::Consumer(_), NodeId::Broker(_))
            | (NodeId::Broker(_), NodeId::Producer(_) | NodeId::Consumer(_))
                if self.narrow =>
            {
                // Client traffic arcs on the left of the stacked column.
                let (pa, pb) = (
                    Pt {
                        x: a.x,
                        y: a.center().y,
                    },
                    Pt {
                        x: b.x,
                        y: b.center().y,
                    },
                );
                let bulge = 40.0 + if from.is_broker() { 0.0 } else { 8.0 };
                let c = Pt {
                    x: pa.x - bulge,
                    y: (pa.y + pb.y) / 2.0,
                };
                Some((pa, c, pb))
            }
            _ => {
                let (ca, cb) = (a.center(), b.center());
                let pa = a.exit_toward(cb, 4.0);
                let pb = b.exit_toward(ca, 4.0);
                let (dx, dy) = (pb.x - pa.x, pb.y - pa.y);
                let len = (dx * dx + dy * dy).sqrt().max(1.0);
                // Bend to the left of the direction, so A→B and B→A use different lanes.
                let k = if from.is_zk() { 0.10 } else { 0.08 };
                let c = Pt {
                    x: (pa.x + pb.x) / 2.0 + dy / len * len * k,
                    y: (pa.y + pb.y) / 2.0 - dx / len * len * k,
                };
                Some((pa, c, pb))
            }
        }
    }
}

/// The point at fraction `t` along a quadratic Bézier.
pub fn along(p: (Pt, Pt, Pt), t: f64) -> Pt {
    let u = 1.0 - t;
    Pt {
        x: u * u * p.0.x + 2.0 * u * t * p.1.x + t * t * p.2.x,
        y: u * u * p.0.y + 2.0 * u * t * p.1.y + t * t * p.2.y,
    }
}

/// SVG path data for a quadratic Bézier.
pub fn path_d(p: (Pt, Pt, Pt)) -> String {
    format!(
        "M{:.1},{:.1} Q{:.1},{:.1} {:.1},{:.1}",
        p.0.x, p.0.y, p.1.x, p.1.y, p.2.x, p.2.y
    )
}
