//! The Barrodale–Roberts simplex for the check-loss linear programme, with the pivoting rules
//! of Koenker & d'Orey (AS 229) as `quantreg::rq.fit.br`.

use mle_core::{MleError, Result};

use super::rows::Rows;
use super::vertex::{singular_basis, solve_basis, Vertex};
use super::QuantileAlgorithm;

/// The Barrodale–Roberts simplex for the check-loss LP, with the pivoting rules of
/// Koenker & d'Orey (AS 229) as used by `quantreg::rq.fit.br` (condensed tableau; stage 1
/// brings the coefficients into the basis, stage 2 exchanges observations; the ratio test
/// passes through breakpoints while the marginal cost stays positive). Follows the same
/// choices, so non-unique problems end at quantreg's vertex. β is then re-solved from the p
/// basic observations.
pub(crate) fn barrodale_roberts(rows: &Rows, y: &[f64], tau: f64) -> Result<Vertex> {
    let (m, p) = (rows.n, rows.p);
    let w = p + 1; // p tableau columns, then the right-hand side
    let toler = f64::EPSILON.powf(2.0 / 3.0);
    let mut t = vec![0.0; m * w];
    let mut row_label: Vec<i64> = Vec::with_capacity(m);
    for i in 0..m {
        let r = &mut t[i * w..(i + 1) * w];
        r[..p].copy_from_slice(rows.row(i));
        r[p] = y[i];
        let mut label = (p + i + 1) as i64;
        if y[i] < 0.0 {
            r.iter_mut().for_each(|v| *v = -*v);
            label = -label;
        }
        row_label.push(label);
    }
    let mut col_label: Vec<i64> = (1..=p as i64).collect();
    // Marginal costs (twice the rate of decrease of the check loss along each column).
    let mut cost = vec![0.0; p];
    for (j, c) in cost.iter_mut().enumerate() {
        let (mut m2, mut m3) = (0.0, 0.0);
        for (i, &label) in row_label.iter().enumerate() {
            let aux = t[i * w + j];
            let s = if label > 0 { 1.0 } else { -1.0 };
            m2 += aux * (1.0 - s);
            m3 += aux * s;
        }
        let m3 = 2.0 * m3;
        *c = m2 + m3 * tau;
    }
    let (mut kr, mut kl, mut kount) = (0usize, 0usize, 0usize);
    let mut stage1 = true;
    let mut candidates = RatioList::default();
    let max_steps = 100 * (m + p) + 10_000;
    let mut steps = 0usize;
    'outer: loop {
        steps += 1;
        if steps > max_steps {
            return Err(MleError::NoConvergence {
                reason: "Barrodale–Roberts simplex: pivot limit reached (cycling?)".into(),
                iterations: steps as u64,
                gradient_norm: f64::NAN,
                last: Vec::new(),
            });
        }
        let entering;
        if stage1 {
            if kount + kr == p {
                stage1 = false;
                continue;
            }
            let mut max = -1.0;
            let mut inn = usize::MAX;
            for j in kr..p {
                if col_label[j].unsigned_abs() as usize <= p {
                    let d = cost[j].abs();
                    if d > max {
                        max = d;
                        inn = j;
                    }
                }
            }
            if inn == usize::MAX {
                return Err(singular_basis());
            }
            if cost[inn] < 0.0 {
                negate_column(&mut t, w, inn, &mut cost, &mut col_label);
            }
            entering = inn;
        } else {
            let mut max = f64::MIN;
            let mut inn = usize::MAX;
            for (j, &c) in cost.iter().enumerate().skip(kr) {
                let mut d = c;
                if d < 0.0 {
                    if d > -2.0 {
                        continue;
                    }
                    d = -d - 2.0;
                }
                if d > max {
                    max = d;
                    inn = j;
                }
            }
            if inn == usize::MAX || max <= toler {
                break 'outer;
            }
            if cost[inn] <= 0.0 {
                negate_column(&mut t, w, inn, &mut cost, &mut col_label);
                cost[inn] -= 2.0;
            }
            entering = inn;
        }
        // Ratio test over the observation rows, passing through breakpoints.
        candidates.clear();
        for i in kl..m {
            let d = t[i * w + entering];
            if d > toler {
                candidates.push(t[i * w + p] / d, i);
            }
        }
        loop {
            let Some(out) = candidates.pop_min() else {
                if stage1 {
                    // Linearly dependent column: set it aside.
                    swap_columns(&mut t, w, kr, entering, &mut cost, &mut col_label);
                    kr += 1;
                    continue 'outer;
                }
                return Err(MleError::NoConvergence {
                    reason: "Barrodale–Roberts simplex: premature end (possible conditioning problem in x)"
                        .into(),
                    iterations: steps as u64,
                    gradient_norm: f64::NAN,
                    last: Vec::new(),
                });
            };
            let pivot = t[out * w + entering];
            if cost[entering] - pivot - pivot <= toler {
                pivot_tableau(&mut t, w, m, out, entering, kr, &mut cost);
                std::mem::swap(&mut row_label[out], &mut col_label[entering]);
                kount += 1;
                if stage1 {
                    kl += 1;
                    let target = kount - 1;
                    if target != out {
                        for j in kr..w {
                            t.swap(out * w + j, target * w + j);
                        }
                        row_label.swap(out, target);
                    }
                }
                continue 'outer;
            }
            // Pass through: this residual changes sign, the marginal cost drops by 2·pivot.
            for j in kr..w {
                let d = t[out * w + j];
                if j < p {
                    cost[j] = cost[j] - d - d;
                }
                t[out * w + j] = -d;
            }
            row_label[out] = -row_label[out];
        }
    }
    let nonunique = kr == 0
        && cost.iter().any(|c| {
            let d = c.abs();
            d <= toler || 2.0 - d <= toler
        });
    let mut beta = vec![0.0; p];
    for i in 0..kl {
        let k = row_label[i].unsigned_abs() as usize;
        if (1..=p).contains(&k) {
            beta[k - 1] = t[i * w + p] * row_label[i].signum() as f64;
        }
    }
    let basis: Vec<usize> = (kr..p)
        .filter_map(|j| {
            let l = col_label[j].unsigned_abs() as usize;
            (l > p).then(|| l - p - 1)
        })
        .collect();
    if basis.len() != p {
        // A column was set aside as linearly dependent (quantreg would have stopped with
        // "Singular design matrix" before starting).
        return Err(singular_basis());
    }
    if let Some((b, _)) = solve_basis(rows, y, &basis) {
        beta = b.iter().copied().collect();
    }
    Ok(Vertex {
        beta,
        basis,
        algorithm: QuantileAlgorithm::BarrodaleRoberts,
        ipm_iterations: 0,
        pivots: kount,
        nonunique,
    })
}

/// The ratio-test list of AS 229: candidates in row order; each extraction takes the smallest
/// ratio (strict `<`: the first position among equal ratios) and moves the last entry into the
/// hole. The first few extractions scan the list; after that a value-sorted index with the
/// same positional bookkeeping gives identical choices in O(log k) amortised per extraction
/// (a long pass-through no longer costs O(k²)).
#[derive(Default)]
struct RatioList {
    values: Vec<f64>,
    rows: Vec<usize>,
    /// Element ids by current position.
    order: Vec<usize>,
    /// Current position of each element id (sorted mode).
    pos: Vec<usize>,
    removed: Vec<bool>,
    sorted: Vec<usize>,
    next: usize,
    scans: usize,
}

impl RatioList {
    const LINEAR_SCANS: usize = 8;

    fn clear(&mut self) {
        self.values.clear();
        self.rows.clear();
        self.order.clear();
        self.sorted.clear();
        self.next = 0;
        self.scans = 0;
    }

    fn push(&mut self, value: f64, row: usize) {
        self.order.push(self.values.len());
        self.values.push(value);
        self.rows.push(row);
    }

    fn remove_at(&mut self, j: usize) -> usize {
        let id = self.order.swap_remove(j);
        if !self.sorted.is_empty() {
            if j < self.order.len() {
                self.pos[self.order[j]] = j;
            }
            self.removed[id] = true;
        }
        id
    }

    fn pop_min(&mut self) -> Option<usize> {
        if self.order.is_empty() {
            return None;
        }
        if self.sorted.is_empty() && (self.scans < Self::LINEAR_SCANS || self.order.len() <= 64) {
            self.scans += 1;
            let (mut j, mut min) = (0, f64::MAX);
            for (k, &id) in self.order.iter().enumerate() {
                if self.values[id] < min {
                    min = self.values[id];
                    j = k;
                }
            }
            let id = self.remove_at(j);
            return Some(self.rows[id]);
        }
        if self.sorted.is_empty() {
            let total = self.values.len();
            self.pos = vec![usize::MAX; total];
            self.removed = vec![true; total];
            for (k, &id) in self.order.iter().enumerate() {
                self.pos[id] = k;
                self.removed[id] = false;
            }
            self.sorted = self.order.clone();
            let values = &self.values;
            self.sorted
                .sort_unstable_by(|a, b| values[*a].total_cmp(&values[*b]));
            self.next = 0;
        }
        while self.removed[self.sorted[self.next]] {
            self.next += 1;
        }
        let v = self.values[self.sorted[self.next]];
        let mut best = self.sorted[self.next];
        for &id in self.sorted[self.next..]
            .iter()
            .take_while(|&&id| self.values[id] == v)
        {
            if !self.removed[id] && self.pos[id] < self.pos[best] {
                best = id;
            }
        }
        let id = self.remove_at(self.pos[best]);
        Some(self.rows[id])
    }
}

fn negate_column(t: &mut [f64], w: usize, j: usize, cost: &mut [f64], col_label: &mut [i64]) {
    for row in t.chunks_exact_mut(w) {
        row[j] = -row[j];
    }
    cost[j] = -cost[j];
    col_label[j] = -col_label[j];
}

fn swap_columns(t: &mut [f64], w: usize, a: usize, b: usize, cost: &mut [f64], col_label: &mut [i64]) {
    if a == b {
        return;
    }
    for row in t.chunks_exact_mut(w) {
        row.swap(a, b);
    }
    cost.swap(a, b);
    col_label.swap(a, b);
}

/// Pivot of the condensed tableau on (out, entering) over columns kr.. (incl. the rhs).
fn pivot_tableau(
    t: &mut [f64],
    w: usize,
    m: usize,
    out: usize,
    entering: usize,
    kr: usize,
    cost: &mut [f64],
) {
    let p = w - 1;
    let pivot = t[out * w + entering];
    let mut prow = t[out * w..(out + 1) * w].to_vec();
    for (j, v) in prow.iter_mut().enumerate().skip(kr) {
        if j != entering {
            *v /= pivot;
        }
    }
    for i in 0..m {
        if i == out {
            continue;
        }
        let row = &mut t[i * w..(i + 1) * w];
        let d = row[entering];
        if d != 0.0 {
            for (j, (v, &pv)) in row.iter_mut().zip(&prow).enumerate().skip(kr) {
                if j != entering {
                    *v -= d * pv;
                }
            }
            row[entering] = -d / pivot;
        }
    }
    let d = cost[entering];
    for (j, c) in cost.iter_mut().enumerate().take(p).skip(kr) {
        if j != entering {
            *c -= d * prow[j];
        }
    }
    cost[entering] = -d / pivot;
    prow[entering] = 1.0 / pivot;
    t[out * w..(out + 1) * w].copy_from_slice(&prow);
}

