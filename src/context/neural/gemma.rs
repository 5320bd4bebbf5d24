//! The forward pass of a Gemma 3 decoder over quantised GGUF weights,
//! written on candle's tensors. One pass reads a whole token sequence and
//! can return the next-token log-probabilities at any chosen positions, so
//! a sentence costs one pass, not one per token; a key-value cache lets
//! the variants of a sentence share the pass over their common prefix.

use candle_core::quantized::{gguf_file, QMatMul, QTensor};
use candle_core::{Device, Module, Tensor, D};

use super::NeuralError;

/// The shape of the network, read from the GGUF metadata.
#[derive(Clone, Debug)]
pub(crate) struct Shape {
    pub layers: usize,
    pub hidden: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    pub eps: f64,
    pub global_rope_base: f64,
    pub sliding_window: usize,
}

/// Gemma 3 alternates five local (sliding-window) layers with one global
/// one; local layers use a shorter rotary base.
const LOCAL_ROPE_BASE: f64 = 10_000.0;
const GLOBAL_EVERY: usize = 6;

struct Layer {
    attn_norm: Tensor,
    q: QMatMul,
    k: QMatMul,
    v: QMatMul,
    q_norm: Tensor,
    k_norm: Tensor,
    out: QMatMul,
    post_attn_norm: Tensor,
    ffn_norm: Tensor,
    gate: QMatMul,
    up: QMatMul,
    down: QMatMul,
    post_ffn_norm: Tensor,
    global: bool,
}

/// The weights of one model.
pub(crate) struct Gemma {
    pub shape: Shape,
    embedding: QTensor,
    /// The output projection, kept quantised: it is the size of the
    /// vocabulary, and most comparisons need only a few of its rows.
    output: QTensor,
    /// The rows of the output projection that the softmax runs over, as
    /// f32, and each token's place among them (`u32::MAX`: none).
    softmax_rows: Tensor,
    softmax_place: Vec<u32>,
    layers: Vec<Layer>,
    final_norm: Tensor,
    device: Device,
}

/// The keys and values of a read prefix, per layer.
#[derive(Clone)]
pub(crate) struct Cache {
    keys: Vec<Tensor>,
    values: Vec<Tensor>,
    pub len: usize,
}

impl Gemma {
    pub fn read<R: std::io::Read + std::io::Seek>(
        content: &gguf_file::Content,
        reader: &mut R,
    ) -> Result<Gemma, NeuralError> {
        let device = Device::Cpu;
        let meta = |key: &str| {
            content
                .metadata
                .get(&format!("gemma3.{key}"))
                .ok_or_else(|| NeuralError::Format(format!("no gemma3.{key} in the model")))
        };
        let int = |key: &str| -> Result<usize, NeuralError> {
            Ok(meta(key)?.to_u32().map_err(NeuralError::from)? as usize)
        };
        let heads = int("attention.head_count")?;
        let shape = Shape {
            layers: int("block_count")?,
            hidden: int("embedding_length")?,
            heads,
            kv_heads: int("attention.head_count_kv")?,
            head_dim: int("attention.key_length")?,
            eps: f64::from(meta("attention.layer_norm_rms_epsilon")?.to_f32()?),
            global_rope_base: f64::from(meta("rope.freq_base")?.to_f32()?),
            sliding_window: int("attention.sliding_window")?,
        };
        let mut tensor = |name: &str| -> Result<QTensor, NeuralError> {
            content
                .tensor(reader, name, &device)
                .map_err(|e| NeuralError::Format(format!("tensor {name}: {e}")))
        };
        let embedding = tensor("token_embd.weight")?;
        // Gemma ties its output projection to the embedding.
        let output_name = if content.tensor_infos.contains_key("output.weight") {
            "output.weight"
        } else {
            "token_embd.weight"
        };
        let output = tensor(output_name)?;

        let final_norm = tensor("output_norm.weight")?.dequantize(&device)?;
        let mut layers = Vec::with_capacity(shape.layers);
        for i in 0..shape.layers {
            let mut weight = |part: &str| tensor(&format!("blk.{i}.{part}.weight"));
            layers.push(Layer {
                attn_norm: weight("attn_norm")?.dequantize(&device)?,
                q: dense(weight("attn_q")?)?,
                k: dense(weight("attn_k")?)?,
                v: dense(weight("attn_v")?)?,
                q_norm: weight("attn_q_norm")?.dequantize(&device)?,
                k_norm: weight("attn_k_norm")?.dequantize(&device)?,
                out: dense(weight("attn_output")?)?,
                post_attn_norm: weight("post_attention_norm")?.dequantize(&device)?,
                ffn_norm: weight("ffn_norm")?.dequantize(&device)?,
                gate: dense(weight("ffn_gate")?)?,
                up: dense(weight("ffn_up")?)?,
                down: dense(weight("ffn_down")?)?,
                post_ffn_norm: weight("post_ffw_norm")?.dequantize(&device)?,
                global: (i + 1) % GLOBAL_EVERY == 0,
            });
        }
        let empty = Tensor::zeros((0, shape.hidden), candle_core::DType::F32, &device)?;
        Ok(Gemma {
            shape,
            embedding,
            // Set by `restrict_softmax`, which the model's reader calls.
            softmax_rows: empty,
            softmax_place: Vec::new(),
            output,
            layers,
            final_norm,
            device,
        })
    }

    pub fn vocabulary(&self) -> usize {
        self.embedding.shape().dims()[0]
    }

    /// Reads `tokens` from the start and returns the final hidden states
    /// after each of the positions `wanted` (indices into `tokens`), one
    /// row each, ready for [`Gemma::logits`] and [`Gemma::log_probs`], with
    /// the cache of the whole sequence.
    pub fn forward(
        &self,
        tokens: &[u32],
        wanted: &[usize],
    ) -> Result<(Tensor, Cache), NeuralError> {
        let branch = Branch {
            prefix: 0,
            tokens: tokens.to_vec(),
        };
        let (x, keys, values) = self.run(None, std::slice::from_ref(&branch))?;
        let cache = Cache {
            keys,
            values,
            len: tokens.len(),
        };
        Ok((self.pick(&x, wanted)?, cache))
    }

    /// Reads each branch after its prefix of `cache`, all in one pass, and
    /// returns the final hidden state after every branch token, branch by
    /// branch. Many short branches (the variants of a sentence) cost one
    /// pass of the weights, not one each.
    pub fn branches(&self, cache: &Cache, branches: &[Branch]) -> Result<Tensor, NeuralError> {
        let (x, _, _) = self.run(Some(cache), branches)?;
        let all: Vec<usize> = (0..x.dim(0)?).collect();
        self.pick(&x, &all)
    }

    fn pick(&self, x: &Tensor, wanted: &[usize]) -> Result<Tensor, NeuralError> {
        let index: Vec<u32> = wanted.iter().map(|&w| w as u32).collect();
        let picked = x.index_select(&Tensor::new(index.as_slice(), &self.device)?, 0)?;
        rms_norm(&picked, &self.final_norm, self.shape.eps)
    }

    /// The layers over the branches' tokens, placed after the cache; returns
    /// the last layer's states and each layer's keys and values (cache
    /// first, then the new tokens).
    fn run(
        &self,
        cache: Option<&Cache>,
        branches: &[Branch],
    ) -> Result<(Tensor, Vec<Tensor>, Vec<Tensor>), NeuralError> {
        let past = cache.map_or(0, |c| c.len);
        let layout = Layout::new(past, branches, &self.shape, &self.device)?;
        let tokens: Vec<u32> = branches
            .iter()
            .flat_map(|b| b.tokens.iter().copied())
            .collect();
        let ids = Tensor::new(tokens.as_slice(), &self.device)?;
        let mut x = self.embedding.embedding(&ids)?;
        x = (x * (self.shape.hidden as f64).sqrt())?;
        let mut keys = Vec::with_capacity(self.layers.len());
        let mut values = Vec::with_capacity(self.layers.len());
        for (i, layer) in self.layers.iter().enumerate() {
            let cached = cache.map(|c| (&c.keys[i], &c.values[i]));
            let (attended, k, v) = self.attend(layer, &x, &layout, cached)?;
            keys.push(k);
            values.push(v);
            x = (x + rms_norm(&attended, &layer.post_attn_norm, self.shape.eps)?)?;
            let h = rms_norm(&x, &layer.ffn_norm, self.shape.eps)?;
            let gated = (layer.gate.forward(&h)?.gelu()? * layer.up.forward(&h)?)?;
            let ffn = layer.down.forward(&gated)?;
            x = (x + rms_norm(&ffn, &layer.post_ffn_norm, self.shape.eps)?)?;
        }
        Ok((x, keys, values))
    }

    /// Runs the softmax over `ids` only (sorted): the probability that
    /// the model gives any other token is taken to be nil. Where those are
    /// tokens that the text cannot contain, this costs nothing in accuracy
    /// and saves that share of every full row.
    pub fn restrict_softmax(&mut self, ids: &[u32]) -> Result<(), NeuralError> {
        let index = Tensor::new(ids, &self.device)?;
        self.softmax_rows = self.output.embedding(&index)?;
        self.softmax_place = vec![u32::MAX; self.vocabulary()];
        for (place, &id) in ids.iter().enumerate() {
            self.softmax_place[id as usize] = place as u32;
        }
        Ok(())
    }

    /// The logits of `ids` after hidden row `row`, without the softmax's
    /// normaliser: only their differences are log-probability ratios, and
    /// they cost a few rows of the output projection, not all of it.
    pub fn logits(
        &self,
        hidden: &Tensor,
        row: usize,
        ids: &[u32],
    ) -> Result<Vec<f32>, NeuralError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self.output.embedding(&Tensor::new(ids, &self.device)?)?;
        let h = hidden.get(row)?.unsqueeze(1)?;
        Ok(rows.matmul(&h)?.flatten_all()?.to_vec1()?)
    }

    /// ln P(`ids[i]` | hidden row `i`): the full softmax, one row of the
    /// output projection per id.
    pub fn log_probs(&self, hidden: &Tensor, ids: &[u32]) -> Result<Vec<f32>, NeuralError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let logits = hidden.matmul(&self.softmax_rows.t()?)?;
        let max = logits.max_keepdim(D::Minus1)?;
        let norm = (logits
            .broadcast_sub(&max)?
            .exp()?
            .sum_keepdim(D::Minus1)?
            .log()?
            + max)?;
        let norm: Vec<f32> = norm.flatten_all()?.to_vec1()?;
        let mut out = Vec::with_capacity(ids.len());
        for (row, &id) in ids.iter().enumerate() {
            let place = self
                .softmax_place
                .get(id as usize)
                .copied()
                .unwrap_or(u32::MAX);
            let logit = if place == u32::MAX {
                self.logits(hidden, row, &[id])?[0]
            } else {
                logits.get(row)?.get(place as usize)?.to_scalar::<f32>()?
            };
            out.push(logit - norm[row]);
        }
        Ok(out)
    }

    /// Self-attention of one layer over `x` (the new tokens), with the
    /// cached keys and values; returns the output and the keys and values
    /// of the cache and the new tokens.
    fn attend(
        &self,
        layer: &Layer,
        x: &Tensor,
        layout: &Layout,
        past: Option<(&Tensor, &Tensor)>,
    ) -> Result<(Tensor, Tensor, Tensor), NeuralError> {
        let s = &self.shape;
        let t = x.dim(0)?;
        let h = rms_norm(x, &layer.attn_norm, s.eps)?;
        let q = layer.q.forward(&h)?.reshape((t, s.heads, s.head_dim))?;
        let k = layer.k.forward(&h)?.reshape((t, s.kv_heads, s.head_dim))?;
        let v = layer.v.forward(&h)?.reshape((t, s.kv_heads, s.head_dim))?;
        let q = rms_norm(&q, &layer.q_norm, s.eps)?
            .transpose(0, 1)?
            .contiguous()?;
        let k = rms_norm(&k, &layer.k_norm, s.eps)?
            .transpose(0, 1)?
            .contiguous()?;
        let v = v.transpose(0, 1)?.contiguous()?;
        let (cos, sin, mask) = if layer.global {
            (&layout.global_cos, &layout.global_sin, &layout.global_mask)
        } else {
            (&layout.local_cos, &layout.local_sin, &layout.local_mask)
        };
        let q = rotate(&q, cos, sin)?;
        let k = rotate(&k, cos, sin)?;
        let (k, v) = match past {
            Some((pk, pv)) => (Tensor::cat(&[pk, &k], 1)?, Tensor::cat(&[pv, &v], 1)?),
            None => (k, v),
        };
        // Grouped queries: each key-value head serves heads / kv_heads
        // query heads.
        let group = s.heads / s.kv_heads;
        let kx = repeat_heads(&k, group)?;
        let vx = repeat_heads(&v, group)?;
        let scale = 1.0 / (s.head_dim as f64).sqrt();
        let scores = (q.matmul(&kx.t()?)? * scale)?;
        let scores = scores.broadcast_add(mask)?;
        let max = scores.max_keepdim(D::Minus1)?;
        let weights = scores.broadcast_sub(&max)?.exp()?;
        let weights = weights.broadcast_div(&weights.sum_keepdim(D::Minus1)?)?;
        let attended = weights.matmul(&vx)?;
        let attended = attended
            .transpose(0, 1)?
            .contiguous()?
            .reshape((t, s.heads * s.head_dim))?;
        Ok((layer.out.forward(&attended)?, k, v))
    }
}

/// A run of tokens read after the first `prefix` positions of a cache.
#[derive(Clone, Debug)]
pub(crate) struct Branch {
    pub prefix: usize,
    pub tokens: Vec<u32>,
}

/// Where each new token stands and what it sees, built once per pass:
/// rotary tables and additive masks for the local and global layers.
struct Layout {
    local_cos: Tensor,
    local_sin: Tensor,
    global_cos: Tensor,
    global_sin: Tensor,
    local_mask: Tensor,
    global_mask: Tensor,
}

impl Layout {
    fn new(
        past: usize,
        branches: &[Branch],
        shape: &Shape,
        device: &Device,
    ) -> Result<Layout, NeuralError> {
        // Token n of the pass: its position, its branch's prefix, and
        // where its branch starts among the new tokens.
        let mut tokens = Vec::new();
        for branch in branches {
            let first = tokens.len();
            for i in 0..branch.tokens.len() {
                tokens.push((branch.prefix + i, branch.prefix, first));
            }
        }
        let positions: Vec<usize> = tokens.iter().map(|t| t.0).collect();
        let (local_cos, local_sin) = rotary(&positions, shape.head_dim, LOCAL_ROPE_BASE, device)?;
        let (global_cos, global_sin) =
            rotary(&positions, shape.head_dim, shape.global_rope_base, device)?;
        let total = past + tokens.len();
        let mask = |window: Option<usize>| -> Result<Tensor, NeuralError> {
            let mut mask = Vec::with_capacity(tokens.len() * total);
            for (n, &(at, prefix, first)) in tokens.iter().enumerate() {
                let near = |j: usize| window.is_none_or(|w| at - j < w);
                for j in 0..past {
                    mask.push(if j < prefix && near(j) {
                        0.0f32
                    } else {
                        f32::NEG_INFINITY
                    });
                }
                for (m, other) in tokens.iter().enumerate() {
                    let seen = m >= first && m <= n && near(other.0);
                    mask.push(if seen { 0.0f32 } else { f32::NEG_INFINITY });
                }
            }
            Ok(Tensor::from_vec(mask, (tokens.len(), total), device)?)
        };
        Ok(Layout {
            local_cos,
            local_sin,
            global_cos,
            global_sin,
            local_mask: mask(Some(shape.sliding_window))?,
            global_mask: mask(None)?,
        })
    }
}

/// The layers' weights are unpacked to f32 once: a sentence is read in
/// one pass of many rows, where f32 matrix products run several times
/// faster than quantised dot products (about 8 times on 2 cores).
fn dense(weight: QTensor) -> Result<QMatMul, NeuralError> {
    Ok(QMatMul::Tensor(weight.dequantize(&Device::Cpu)?))
}

fn repeat_heads(x: &Tensor, group: usize) -> Result<Tensor, NeuralError> {
    if group == 1 {
        return Ok(x.clone());
    }
    let (heads, t, d) = x.dims3()?;
    Ok(x.unsqueeze(1)?
        .expand((heads, group, t, d))?
        .reshape((heads * group, t, d))?)
}

/// Root-mean-square normalisation over the last dimension. The GGUF
/// weights already hold Gemma's `1 + weight`.
fn rms_norm(x: &Tensor, weight: &Tensor, eps: f64) -> Result<Tensor, NeuralError> {
    let mean = x.sqr()?.mean_keepdim(D::Minus1)?;
    let normed = x.broadcast_div(&(mean + eps)?.sqrt()?)?;
    Ok(normed.broadcast_mul(weight)?)
}

/// The cosines and sines of rotary `positions`.
fn rotary(
    positions: &[usize],
    dim: usize,
    base: f64,
    device: &Device,
) -> Result<(Tensor, Tensor), NeuralError> {
    let half = dim / 2;
    let mut cos = Vec::with_capacity(positions.len() * half);
    let mut sin = Vec::with_capacity(positions.len() * half);
    let frequencies: Vec<f64> = (0..half)
        .map(|i| base.powf(-2.0 * i as f64 / dim as f64))
        .collect();
    for &p in positions {
        for f in &frequencies {
            let angle = p as f64 * f;
            cos.push(angle.cos() as f32);
            sin.push(angle.sin() as f32);
        }
    }
    Ok((
        Tensor::from_vec(cos, (positions.len(), half), device)?,
        Tensor::from_vec(sin, (positions.len(), half), device)?,
    ))
}

/// Rotates the two halves of each head vector (the "neox" layout that
/// Gemma uses).
fn rotate(x: &Tensor, cos: &Tensor, sin: &Tensor) -> Result<Tensor, NeuralError> {
    let dim = x.dim(D::Minus1)?;
    let half = dim / 2;
    let a = x.narrow(D::Minus1, 0, half)?;
    let b = x.narrow(D::Minus1, half, half)?;
    let first = (a.broadcast_mul(cos)? - b.broadcast_mul(sin)?)?;
    let second = (b.broadcast_mul(cos)? + a.broadcast_mul(sin)?)?;
    Ok(Tensor::cat(&[first, second], D::Minus1)?)
}
