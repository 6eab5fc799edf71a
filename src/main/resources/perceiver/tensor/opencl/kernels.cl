/*
 * Perceiver IO kernels for the OpenCL backend (perceiver.tensor.opencl.OpenClBackend).
 * Plain OpenCL C 1.2, float32 only (no half precision), built without -cl-fast-relaxed-math.
 * Every kernel has a scalar reference on the host (perceiver.tensor.*Reference) that the tests compare against.
 *
 * Tile sizes are macros so that the host can pick smaller ones for a device with small work-groups
 * (defaults: 16 x 16 work-items).
 */

/* ---- matmul: C = A . op(B) (+ bias), batched over (batch, head) ------------------------------------------ */
#ifndef TSM
#define TSM 64          /* rows of C per work-group */
#endif
#ifndef TSN
#define TSN 64          /* columns of C per work-group */
#endif
#ifndef TSK
#define TSK 16          /* depth of one local-memory tile */
#endif
#ifndef WPTM
#define WPTM 4          /* rows of C per work-item */
#endif
#ifndef WPTN
#define WPTN 4          /* columns of C per work-item */
#endif
#define RTSM (TSM / WPTM)
#define RTSN (TSN / WPTN)
#define WG_ITEMS (RTSM * RTSN)
#define LOADS_A ((TSM * TSK) / WG_ITEMS)
#define LOADS_B ((TSK * TSN) / WG_ITEMS)

/*
 * C[i, j] = sum_p A[i, p] * opB[p, j] (+ bias[j]) for i < M, j < N, p < K, where opB[p, j] = B[p * ldb + j], or
 * B[j * ldb + p] when transB. Dimension 2 of the range is z = b * heads + h; each operand starts at
 * off + b * strideB + h * strideH, so one launch covers every (batch element, head) of an attention product.
 * Each output is one chain of fma over p = 0..K-1 in order.
 */
__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))
void matmul(const int M, const int N, const int K, const int heads,
            __global const float* A, const int aOff, const int lda, const int aSB, const int aSH,
            __global const float* B, const int bOff, const int ldb, const int bSB, const int bSH, const int transB,
            __global float* C, const int cOff, const int ldc, const int cSB, const int cSH,
            __global const float* bias, const int hasBias)
{
    const int tn = get_local_id(0);
    const int tm = get_local_id(1);
    const int gm = get_group_id(1) * TSM;
    const int gn = get_group_id(0) * TSN;
    const int z = get_global_id(2);
    const int zb = z / heads, zh = z % heads;
    A += aOff + zb * aSB + zh * aSH;
    B += bOff + zb * bSB + zh * bSH;
    C += cOff + zb * cSB + zh * cSH;

    __local float As[TSK][TSM];
    __local float Bs[TSK][TSN];
    float acc[WPTM][WPTN];
    for (int wm = 0; wm < WPTM; wm++)
        for (int wn = 0; wn < WPTN; wn++) acc[wm][wn] = 0.0f;

    const int lid = tm * RTSN + tn;
    for (int t = 0; t < K; t += TSK) {
        for (int l = 0; l < LOADS_A; l++) {
            const int idx = lid + l * WG_ITEMS;
            const int row = idx / TSK, col = idx % TSK;
            const int gr = gm + row, gc = t + col;
            As[col][row] = (gr < M && gc < K) ? A[gr * lda + gc] : 0.0f;
        }
        for (int l = 0; l < LOADS_B; l++) {
            const int idx = lid + l * WG_ITEMS;
            if (transB) {
                const int j = idx / TSK, p = idx % TSK;
                Bs[p][j] = (gn + j < N && t + p < K) ? B[(gn + j) * ldb + t + p] : 0.0f;
            } else {
                const int p = idx / TSN, j = idx % TSN;
                Bs[p][j] = (gn + j < N && t + p < K) ? B[(t + p) * ldb + gn + j] : 0.0f;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        const int depth = min(TSK, K - t);
        for (int kk = 0; kk < depth; kk++) {
            float b[WPTN];
            for (int wn = 0; wn < WPTN; wn++) b[wn] = Bs[kk][tn + wn * RTSN];
            for (int wm = 0; wm < WPTM; wm++) {
                const float a = As[kk][tm + wm * RTSM];
                for (int wn = 0; wn < WPTN; wn++) acc[wm][wn] = fma(a, b[wn], acc[wm][wn]);
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int wm = 0; wm < WPTM; wm++) {
        const int i = gm + tm + wm * RTSM;
        if (i >= M) continue;
        for (int wn = 0; wn < WPTN; wn++) {
            const int j = gn + tn + wn * RTSN;
            if (j < N) C[i * ldc + j] = hasBias ? acc[wm][wn] + bias[j] : acc[wm][wn];
        }
    }
}

/* ---- row reductions: one work-group of RED work-items per row ---------------------------------------------- */
#ifndef RED
#define RED 64
#endif

/* Tree reduction of red[0..RED) into red[0]; op is max (isMax) or sum. Ends with a barrier. */
inline float reduce_local(__local float* red, const int lid, const int isMax)
{
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = RED / 2; s > 0; s >>= 1) {
        if (lid < s) red[lid] = isMax ? fmax(red[lid], red[lid + s]) : red[lid] + red[lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float r = red[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

/*
 * In place, per row of n values at S + off + row * ld: x <- softmax(scale * x + mask), max-subtracted. The mask row
 * of a row is mask[(row / rowsPerMask) * n ..]; a mask value of -FLT_MAX gives a probability of exactly 0.
 */
__kernel __attribute__((reqd_work_group_size(RED, 1, 1)))
void softmax_rows(__global float* S, const int off, const int n, const int ld, const float scale,
                  __global const float* mask, const int hasMask, const int rowsPerMask)
{
    __local float red[RED];
    const int row = get_group_id(0), lid = get_local_id(0);
    __global float* x = S + off + row * ld;
    __global const float* mk = mask + (row / rowsPerMask) * n;
    float mx = -INFINITY;
    for (int j = lid; j < n; j += RED) {
        const float v = x[j] * scale + (hasMask ? mk[j] : 0.0f);
        x[j] = v;
        mx = fmax(mx, v);
    }
    red[lid] = mx;
    mx = reduce_local(red, lid, 1);
    float sum = 0.0f;
    for (int j = lid; j < n; j += RED) {
        const float e = exp(x[j] - mx);
        x[j] = e;
        sum += e;
    }
    red[lid] = sum;
    sum = reduce_local(red, lid, 0);
    const float inv = 1.0f / sum;
    for (int j = lid; j < n; j += RED) x[j] *= inv;
}

/* Layer normalisation of each row of n values: (x - mean) / sqrt(var + eps) * gamma + beta (biased variance). */
__kernel __attribute__((reqd_work_group_size(RED, 1, 1)))
void layernorm(__global const float* X, __global float* Y, const int n,
               __global const float* gamma, __global const float* beta, const float eps)
{
    __local float red[RED];
    const int row = get_group_id(0), lid = get_local_id(0);
    __global const float* x = X + row * n;
    __global float* y = Y + row * n;
    float sum = 0.0f;
    for (int j = lid; j < n; j += RED) sum += x[j];
    red[lid] = sum;
    const float mean = reduce_local(red, lid, 0) / n;
    float sq = 0.0f;
    for (int j = lid; j < n; j += RED) {
        const float d = x[j] - mean;
        sq = fma(d, d, sq);
    }
    red[lid] = sq;
    sq = reduce_local(red, lid, 0);
    const float inv = 1.0f / sqrt(sq / n + eps);
    for (int j = lid; j < n; j += RED) y[j] = fma((x[j] - mean) * inv, gamma[j], beta[j]);
}

/* ---- element-wise ----------------------------------------------------------------------------------------- */

/* Exact GELU, x/2 (1 + erf(x / sqrt 2)), with the rational erf of perceiver.tensor.Gelu (Eigen / XLA float32). */
__constant float GELU_ALPHA[7] = {
    -2.72614225801306e-10f, 2.77068142495902e-08f, -2.10102402082508e-06f, -5.69250639462346e-05f,
    -7.34990630326855e-04f, -2.95459980854025e-03f, -1.60960333262415e-02f};
__constant float GELU_BETA[5] = {
    -1.45660718464996e-05f, -2.13374055278905e-04f, -1.68282697438203e-03f, -7.37332916720468e-03f,
    -1.42647390514189e-02f};

__kernel void gelu(__global float* x, const int n)
{
    const int i = get_global_id(0);
    if (i >= n) return;
    const float v = x[i];
    const float c = clamp(v * 0.70710678118654752f, -4.0f, 4.0f);
    const float x2 = c * c;
    float p = GELU_ALPHA[0];
    for (int k = 1; k < 7; k++) p = fma(p, x2, GELU_ALPHA[k]);
    float q = GELU_BETA[0];
    for (int k = 1; k < 5; k++) q = fma(q, x2, GELU_BETA[k]);
    const float erf = c * p / q;
    x[i] = v * 0.5f * (erf + 1.0f);
}

/* a[i] += b[i] */
__kernel void add_inplace(__global float* a, __global const float* b, const int n)
{
    const int i = get_global_id(0);
    if (i < n) a[i] += b[i];
}

/* ---- streamed attention: online softmax over blocks of AK keys ------------------------------------------- */
#ifndef AQ
#define AQ 16           /* query rows per work-group */
#endif
#ifndef AC
#define AC 16           /* work-items per query row; also the feature chunk width */
#endif
#ifndef AK
#define AK 64           /* keys per block */
#endif
#define AKW (AK / AC)

/*
 * out[i, :] = softmax_j(scale * q_i . k_j + mask[j]) v_j for one (batch element, head) per z = b * heads + h:
 * q [n, f] rows of stride ldq from b * qSB + h * f, k [m, f] (ldk, kSB), v [m, fv] (ldv, vSB), out [n, fv]
 * (ldo, oSB). The keys stream by in blocks of AK: a running row max and row sum (online softmax); the partial
 * output is rescaled by exp(oldMax - newMax) per block. Only AQ x AK scores exist at a time, so memory does not
 * grow with m.
 *
 * Dimension 0 of the range splits the keys into `splits` ranges of keysPerSplit keys (so that few query rows and
 * many keys still give enough work-groups). With one split the result is divided by the row sum and written to
 * out; with several, each split writes its unnormalised partial output to partial[z][split][n][fv] and its row
 * max and row sum to stats[z][split][n][2], and attend_combine merges them.
 */
__kernel __attribute__((reqd_work_group_size(AC, AQ, 1)))
void attend_stream(const int n, const int m, const int f, const int fv, const int heads, const float scale,
                   __global const float* q, const int ldq, const int qSB,
                   __global const float* k, const int ldk, const int kSB,
                   __global const float* v, const int ldv, const int vSB,
                   __global const float* mask, const int hasMask,
                   __global float* out, const int ldo, const int oSB,
                   const int keysPerSplit, __global float* partial, __global float* stats)
{
    const int c = get_local_id(0), r = get_local_id(1);
    const int split = get_group_id(0), splits = get_num_groups(0);
    const int z = get_global_id(2), b = z / heads, h = z % heads;
    const int i = get_group_id(1) * AQ + r;
    const int jBegin = split * keysPerSplit, jEnd = min(m, jBegin + keysPerSplit);
    q += b * qSB + h * f;
    k += b * kSB + h * f;
    v += b * vSB + h * fv;
    __global float* dst = splits == 1 ? out + b * oSB + h * fv : partial + (z * splits + split) * n * fv;
    const int ldd = splits == 1 ? ldo : fv;
    __global const float* mk = mask + b * m;

    __local float Qs[AQ][AC + 1];
    __local float Ks[AK][AC + 1];
    __local float Vs[AK][AC + 1];
    __local float P[AQ][AK + 1];
    __local float red[AQ][AC];

    float rowMax = -INFINITY, rowSum = 0.0f;
    for (int j0 = jBegin; j0 < jEnd; j0 += AK) {
        float s[AKW];
        for (int w = 0; w < AKW; w++) s[w] = 0.0f;
        for (int p0 = 0; p0 < f; p0 += AC) {
            Qs[r][c] = (i < n && p0 + c < f) ? q[i * ldq + p0 + c] : 0.0f;
            for (int w = 0; w < AKW; w++) {
                const int kr = r + w * AQ, j = j0 + kr;
                Ks[kr][c] = (j < jEnd && p0 + c < f) ? k[j * ldk + p0 + c] : 0.0f;
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            for (int t = 0; t < AC; t++) {
                const float qv = Qs[r][t];
                for (int w = 0; w < AKW; w++) s[w] = fma(qv, Ks[c + w * AC][t], s[w]);
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        float localMax = -INFINITY;
        for (int w = 0; w < AKW; w++) {
            const int j = j0 + c + w * AC;
            s[w] = j < jEnd ? s[w] * scale + (hasMask ? mk[j] : 0.0f) : -INFINITY;
            localMax = fmax(localMax, s[w]);
        }
        red[r][c] = localMax;
        barrier(CLK_LOCAL_MEM_FENCE);
        float blockMax = red[r][0];
        for (int t = 1; t < AC; t++) blockMax = fmax(blockMax, red[r][t]);
        const float newMax = fmax(rowMax, blockMax);
        const float alpha = exp(rowMax - newMax);
        float localSum = 0.0f;
        for (int w = 0; w < AKW; w++) {
            const float e = exp(s[w] - newMax);
            P[r][c + w * AC] = e;
            localSum += e;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        red[r][c] = localSum;
        barrier(CLK_LOCAL_MEM_FENCE);
        float blockSum = 0.0f;
        for (int t = 0; t < AC; t++) blockSum += red[r][t];
        rowSum = rowSum * alpha + blockSum;
        rowMax = newMax;
        for (int c0 = 0; c0 < fv; c0 += AC) {
            for (int w = 0; w < AKW; w++) {
                const int kr = r + w * AQ, j = j0 + kr;
                Vs[kr][c] = (j < jEnd && c0 + c < fv) ? v[j * ldv + c0 + c] : 0.0f;
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            float o = 0.0f;
            for (int t = 0; t < AK; t++) o = fma(P[r][t], Vs[t][c], o);
            if (i < n && c0 + c < fv) {
                __global float* d = dst + i * ldd + c0 + c;
                *d = j0 == jBegin ? o : *d * alpha + o;
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (i < n && jBegin < jEnd) {
        if (splits == 1) {
            const float inv = 1.0f / rowSum;
            for (int c0 = c; c0 < fv; c0 += AC) dst[i * ldd + c0] *= inv;
        } else if (c == 0) {
            stats[((z * splits + split) * n + i) * 2] = rowMax;
            stats[((z * splits + split) * n + i) * 2 + 1] = rowSum;
        }
    }
}

/*
 * Merges the key splits of attend_stream: with M the largest split max, out = sum_s exp(max_s - M) partial_s /
 * sum_s exp(max_s - M) sum_s. A split of masked keys only has exp(max_s - M) = 0 and contributes nothing.
 */
__kernel void attend_combine(const int n, const int fv, const int splits,
                             __global const float* partial, __global const float* stats,
                             __global float* out, const int ldo, const int oSB, const int heads)
{
    const int c = get_global_id(0), i = get_global_id(1), z = get_global_id(2);
    if (c >= fv || i >= n) return;
    const int b = z / heads, h = z % heads;
    float mx = -INFINITY;
    for (int s = 0; s < splits; s++) mx = fmax(mx, stats[((z * splits + s) * n + i) * 2]);
    float sum = 0.0f, o = 0.0f;
    for (int s = 0; s < splits; s++) {
        const int at = (z * splits + s) * n + i;
        const float w = exp(stats[at * 2] - mx);
        sum += w * stats[at * 2 + 1];
        o += w * partial[at * fv + c];
    }
    out[b * oSB + h * fv + i * ldo + c] = o / sum;
}
