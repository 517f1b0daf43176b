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
    let mut tab = Tableau::new(rows, y, tau);
    let mut candidates = RatioList::default();
    let max_steps = 100 * (rows.n + rows.p) + 10_000;
    let mut steps = 0usize;
    loop {
        steps += 1;
        if steps > max_steps {
            return Err(no_convergence("pivot limit reached (cycling?)", steps));
        }
        let entering = if tab.stage1 {
            if tab.kount + tab.kr == tab.p {
                tab.stage1 = false;
                continue;
            }
            tab.stage1_entering()?
        } else {
            match tab.stage2_entering() {
                Some(j) => j,
                None => break,
            }
        };
        if !tab.ratio_step(entering, &mut candidates) {
            if !tab.stage1 {
                return Err(no_convergence(
                    "premature end (possible conditioning problem in x)",
                    steps,
                ));
            }
            // Linearly dependent column: set it aside.
            tab.swap_columns(tab.kr, entering);
            tab.kr += 1;
        }
    }
    tab.into_vertex(rows, y)
}

fn no_convergence(what: &str, steps: usize) -> MleError {
    MleError::NoConvergence {
        reason: format!("Barrodale–Roberts simplex: {what}"),
        iterations: steps as u64,
        gradient_norm: f64::NAN,
        last: Vec::new(),
    }
}

/// The condensed simplex tableau of AS 229: m observation rows of p columns and the
/// right-hand side, row and column labels (±(index + 1), the sign the side of the residual),
/// and the marginal costs of the columns.
struct Tableau {
    t: Vec<f64>,
    m: usize,
    p: usize,
    /// Row width: p tableau columns, then the right-hand side.
    w: usize,
    row_label: Vec<i64>,
    col_label: Vec<i64>,
    /// Twice the rate of decrease of the check loss along each column.
    cost: Vec<f64>,
    /// Columns set aside (linearly dependent), the first `kr`.
    kr: usize,
    /// Rows holding a coefficient (stage 1), the first `kl`.
    kl: usize,
    /// Pivots so far.
    kount: usize,
    stage1: bool,
    toler: f64,
}

impl Tableau {
    fn new(rows: &Rows, y: &[f64], tau: f64) -> Self {
        let (m, p) = (rows.n, rows.p);
        let w = p + 1;
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
        Tableau {
            t,
            m,
            p,
            w,
            row_label,
            col_label: (1..=p as i64).collect(),
            cost,
            kr: 0,
            kl: 0,
            kount: 0,
            stage1: true,
            toler: f64::EPSILON.powf(2.0 / 3.0),
        }
    }

    /// Stage 1: the coefficient column with the largest |marginal cost| enters (made positive).
    fn stage1_entering(&mut self) -> Result<usize> {
        let mut max = -1.0;
        let mut inn = usize::MAX;
        for j in self.kr..self.p {
            if self.col_label[j].unsigned_abs() as usize <= self.p {
                let d = self.cost[j].abs();
                if d > max {
                    max = d;
                    inn = j;
                }
            }
        }
        if inn == usize::MAX {
            return Err(singular_basis());
        }
        if self.cost[inn] < 0.0 {
            self.negate_column(inn);
        }
        Ok(inn)
    }

    /// Stage 2: the column of steepest descent enters; `None` at the optimum (no marginal cost
    /// above the tolerance in either direction).
    fn stage2_entering(&mut self) -> Option<usize> {
        let mut max = f64::MIN;
        let mut inn = usize::MAX;
        for (j, &c) in self.cost.iter().enumerate().skip(self.kr) {
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
        if inn == usize::MAX || max <= self.toler {
            return None;
        }
        if self.cost[inn] <= 0.0 {
            self.negate_column(inn);
            self.cost[inn] -= 2.0;
        }
        Some(inn)
    }

    /// Ratio test over the observation rows for the entering column, passing through
    /// breakpoints while the marginal cost stays positive, then the pivot. `false` when the
    /// candidates run out before a pivot.
    fn ratio_step(&mut self, entering: usize, candidates: &mut RatioList) -> bool {
        let (w, p) = (self.w, self.p);
        candidates.clear();
        for i in self.kl..self.m {
            let d = self.t[i * w + entering];
            if d > self.toler {
                candidates.push(self.t[i * w + p] / d, i);
            }
        }
        while let Some(out) = candidates.pop_min() {
            let pivot = self.t[out * w + entering];
            if self.cost[entering] - pivot - pivot <= self.toler {
                self.pivot(out, entering);
                return true;
            }
            // Pass through: this residual changes sign, the marginal cost drops by 2·pivot.
            for j in self.kr..w {
                let d = self.t[out * w + j];
                if j < p {
                    self.cost[j] = self.cost[j] - d - d;
                }
                self.t[out * w + j] = -d;
            }
            self.row_label[out] = -self.row_label[out];
        }
        false
    }

    /// Pivots on (out, entering) and swaps the labels; in stage 1 the row moves up to the
    /// coefficient block.
    fn pivot(&mut self, out: usize, entering: usize) {
        let w = self.w;
        pivot_tableau(&mut self.t, w, self.m, out, entering, self.kr, &mut self.cost);
        std::mem::swap(&mut self.row_label[out], &mut self.col_label[entering]);
        self.kount += 1;
        if self.stage1 {
            self.kl += 1;
            let target = self.kount - 1;
            if target != out {
                for j in self.kr..w {
                    self.t.swap(out * w + j, target * w + j);
                }
                self.row_label.swap(out, target);
            }
        }
    }

    fn negate_column(&mut self, j: usize) {
        for row in self.t.chunks_exact_mut(self.w) {
            row[j] = -row[j];
        }
        self.cost[j] = -self.cost[j];
        self.col_label[j] = -self.col_label[j];
    }

    fn swap_columns(&mut self, a: usize, b: usize) {
        if a == b {
            return;
        }
        for row in self.t.chunks_exact_mut(self.w) {
            row.swap(a, b);
        }
        self.cost.swap(a, b);
        self.col_label.swap(a, b);
    }

    /// The optimal vertex: the basic observations (column labels), β re-solved from them, and
    /// the non-uniqueness flag (a marginal cost on the boundary).
    fn into_vertex(self, rows: &Rows, y: &[f64]) -> Result<Vertex> {
        let (p, w, toler) = (self.p, self.w, self.toler);
        let nonunique = self.kr == 0
            && self.cost.iter().any(|c| {
                let d = c.abs();
                d <= toler || 2.0 - d <= toler
            });
        let mut beta = vec![0.0; p];
        for i in 0..self.kl {
            let k = self.row_label[i].unsigned_abs() as usize;
            if (1..=p).contains(&k) {
                beta[k - 1] = self.t[i * w + p] * self.row_label[i].signum() as f64;
            }
        }
        let basis: Vec<usize> = (self.kr..p)
            .filter_map(|j| {
                let l = self.col_label[j].unsigned_abs() as usize;
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
            pivots: self.kount,
            nonunique,
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantile::rows::check_loss_sum;
    use crate::quantile::rows::testing::seeded;

    fn intercept(n: usize) -> Rows {
        Rows::from_fn(n, 1, |_, _| 1.0)
    }

    #[test]
    fn median_of_an_odd_sample() {
        let v = barrodale_roberts(&intercept(5), &[5.0, 1.0, 4.0, -2.0, 3.0], 0.5).unwrap();
        assert_eq!(v.beta, vec![3.0]);
        assert_eq!(v.basis, vec![4]);
        assert!(!v.nonunique);
    }

    #[test]
    fn lower_quantile_and_nonunique_even_median() {
        // τ = 0.2, n = 5: ⌈nτ⌉ = 1, the minimum (nτ = 1 exactly: [x₍₁₎, x₍₂₎] is optimal).
        let v = barrodale_roberts(&intercept(5), &[3.0, 1.0, 4.0, 1.5, 5.0], 0.2).unwrap();
        assert_eq!(v.beta, vec![1.0]);
        assert!(v.nonunique);
        // The median of 1, 2, 3, 4 is any point of [2, 3]: a vertex at an end, flagged.
        let v = barrodale_roberts(&intercept(4), &[4.0, 1.0, 3.0, 2.0], 0.5).unwrap();
        assert!(v.beta[0] == 2.0 || v.beta[0] == 3.0, "{:?}", v.beta);
        assert!(v.nonunique);
    }

    #[test]
    fn two_points_are_interpolated_exactly() {
        let rows = Rows::from_fn(2, 2, |i, j| if j == 0 { 1.0 } else { i as f64 });
        let v = barrodale_roberts(&rows, &[1.0, 3.0], 0.3).unwrap();
        assert_eq!(v.beta, vec![1.0, 2.0]);
        let mut basis = v.basis.clone();
        basis.sort_unstable();
        assert_eq!(basis, vec![0, 1]);
        assert_eq!(check_loss_sum(&rows, &[1.0, 3.0], &v.beta, 0.3), 0.0);
    }

    #[test]
    fn no_single_observation_exchange_improves_the_vertex() {
        // LP optimality by brute force on a small problem: replacing any basic observation by
        // any other one (a neighbouring vertex, when non-singular) does not lower the loss.
        let (rows, y) = seeded(40, 3, 7, false);
        for tau in [0.1, 0.5, 0.8] {
            let v = barrodale_roberts(&rows, &y, tau).unwrap();
            let best = check_loss_sum(&rows, &y, &v.beta, tau);
            for k in 0..3 {
                for i in 0..40 {
                    let mut b = v.basis.clone();
                    b[k] = i;
                    if let Some((beta, _)) = solve_basis(&rows, &y, &b) {
                        let other = check_loss_sum(&rows, &y, beta.as_slice(), tau);
                        assert!(other >= best - 1e-12 * best, "τ = {tau}: {other} < {best}");
                    }
                }
            }
        }
    }

    #[test]
    fn linearly_dependent_column_is_an_error() {
        let rows = Rows::from_fn(6, 2, |_, j| if j == 0 { 1.0 } else { 2.0 });
        assert!(matches!(
            barrodale_roberts(&rows, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 0.5),
            Err(MleError::SingularInformation { .. })
        ));
    }

    /// The ratio list gives the choices of the plain AS 229 scan (smallest ratio, first
    /// position among equal ones, the last entry moved into the hole), also after it switches
    /// to its sorted index.
    #[test]
    fn ratio_list_matches_the_linear_scan() {
        let values: Vec<f64> = (0..200).map(|i| ((i * 37) % 23) as f64).collect();
        let mut list = RatioList::default();
        let mut naive: Vec<(f64, usize)> = Vec::new();
        for (row, &v) in values.iter().enumerate() {
            list.push(v, row);
            naive.push((v, row));
        }
        while !naive.is_empty() {
            let (mut j, mut min) = (0, f64::MAX);
            for (k, &(v, _)) in naive.iter().enumerate() {
                if v < min {
                    min = v;
                    j = k;
                }
            }
            let expected = naive.swap_remove(j).1;
            assert_eq!(list.pop_min(), Some(expected));
        }
        assert_eq!(list.pop_min(), None);
    }
}
