//! Synthetic data shared by the benches and `examples/write_bench_data.rs` (so the peer
//! timing scripts in benches/compare/ fit exactly the same numbers).
#![allow(dead_code)]

/// SplitMix64 → uniform(0, 1), and standard normals by Box–Muller (cosine branch only).
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    pub fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

/// SplitMix64 uniforms → Box–Muller normals using both branches (the sine one is kept for
/// the next call), fixed seed.
pub struct Normals {
    source: SplitMix64,
    spare: Option<f64>,
}

impl Normals {
    pub fn new(seed: u64) -> Self {
        Normals {
            source: SplitMix64(seed),
            spare: None,
        }
    }

    fn uniform(&mut self) -> f64 {
        self.source.uniform()
    }

    pub fn next(&mut self) -> f64 {
        if let Some(s) = self.spare.take() {
            return s;
        }
        let (u1, u2) = (self.uniform(), self.uniform());
        let r = (-2.0 * u1.ln()).sqrt();
        let t = 2.0 * std::f64::consts::PI * u2;
        self.spare = Some(r * t.sin());
        r * t.cos()
    }

    pub fn next_uniform(&mut self) -> f64 {
        self.uniform()
    }
}

/// Logistic regression data: X = [1, N(0,1) × (p − 1)] (column-major), β_j = 0.5·(−1)^j / √p·j%3,
/// y ~ Bernoulli(σ(Xβ)).
pub fn logistic(n: usize, p: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut g = Normals::new(seed);
    let mut x = vec![1.0; n * p];
    for v in x[n..].iter_mut() {
        *v = g.next();
    }
    let beta: Vec<f64> = (0..p)
        .map(|j| 0.5 * if j % 2 == 0 { 1.0 } else { -1.0 } * ((j % 3) as f64) / (p as f64).sqrt())
        .collect();
    let y = (0..n)
        .map(|i| {
            let eta: f64 = (0..p).map(|j| x[j * n + i] * beta[j]).sum();
            let prob = 1.0 / (1.0 + (-eta).exp());
            if g.next_uniform() < prob {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    (x, y)
}

/// Heteroscedastic Gaussian data: X = [1, N(0,1) × (p − 1)], Z = [1, N(0,1) × (q − 1)],
/// y = Xβ + exp(Zγ)·ε.
pub fn heteroscedastic(n: usize, p: usize, q: usize, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut g = Normals::new(seed);
    let mut x = vec![1.0; n * p];
    for v in x[n..].iter_mut() {
        *v = g.next();
    }
    let mut z = vec![1.0; n * q];
    for v in z[n..].iter_mut() {
        *v = g.next();
    }
    let y = (0..n)
        .map(|i| {
            let mean: f64 = (0..p).map(|j| x[j * n + i] * (1.0 + j as f64 * 0.1)).sum();
            let log_sigma: f64 = (0..q)
                .map(|j| z[j * n + i] * if j == 0 { 0.2 } else { 0.15 })
                .sum();
            mean + log_sigma.exp() * g.next()
        })
        .collect();
    (x, z, y)
}

/// Negative binomial (NB2) regression data: X = [1, N(0,1) × (p − 1)] (column-major),
/// β₀ = 1, β_j = 0.3·(−1)^j·(j%3)/√p, y ~ Poisson(μG) with G ~ Gamma(θ, 1/θ) (Marsaglia–Tsang,
/// θ ≥ 1), i.e. NB2 with mean μ = exp(Xβ) and size θ. Poisson draws by inversion.
pub fn negative_binomial(n: usize, p: usize, theta: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
    assert!(theta >= 1.0);
    let mut g = Normals::new(seed);
    let mut x = vec![1.0; n * p];
    for v in x[n..].iter_mut() {
        *v = g.next();
    }
    let beta: Vec<f64> = (0..p)
        .map(|j| {
            if j == 0 {
                1.0
            } else {
                0.3 * if j % 2 == 0 { 1.0 } else { -1.0 } * ((j % 3) as f64) / (p as f64).sqrt()
            }
        })
        .collect();
    let (d, c) = (theta - 1.0 / 3.0, 1.0 / (9.0 * theta - 3.0).sqrt());
    let y = (0..n)
        .map(|i| {
            let eta: f64 = (0..p).map(|j| x[j * n + i] * beta[j]).sum();
            let gamma = loop {
                let z = g.next();
                let v = (1.0 + c * z).powi(3);
                if v > 0.0 && g.next_uniform().ln() < 0.5 * z * z + d - d * v + d * v.ln() {
                    break d * v / theta;
                }
            };
            let lambda = eta.exp() * gamma;
            let (mut k, mut prob) = (0.0, (-lambda).exp());
            let (mut cdf, u) = (prob, g.next_uniform());
            while u > cdf && prob > 0.0 {
                k += 1.0;
                prob *= lambda / k;
                cdf += prob;
            }
            k
        })
        .collect();
    (x, y)
}
