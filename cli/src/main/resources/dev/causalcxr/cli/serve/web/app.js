// CausalCXR counterfactual page: plain JavaScript, no build step. Talks to the same origin's /v1 API.
'use strict';

const state = { token: sessionStorage.getItem('causalcxr-token') || '', vocabulary: null, urls: [] };
const $ = (id) => document.getElementById(id);

function headers(extra) {
  const h = Object.assign({}, extra || {});
  if (state.token) { h.Authorization = 'Bearer ' + state.token; }
  return h;
}

async function api(path, options) {
  const response = await fetch(path, Object.assign({}, options, { headers: headers((options || {}).headers) }));
  if (response.status === 401) {
    $('token-panel').hidden = false;
    $('token').focus();
    throw new Error('this service needs its access token');
  }
  if (!response.ok) {
    let reason = response.status + ' ' + response.statusText;
    try { const body = await response.json(); if (body.error) { reason = body.error; } } catch (e) { /* not JSON */ }
    const err = new Error(reason);
    err.status = response.status;
    throw err;
  }
  return response;
}

/** A result file as an object URL (fetched with the token, so <img> needs no credentials). */
async function blobUrl(path) {
  const blob = await (await api(path)).blob();
  const url = URL.createObjectURL(blob);
  state.urls.push(url);
  return url;
}

function setStatus(text, isError) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', !!isError);
}

function option(select, value, label) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  select.appendChild(o);
  return o;
}

function randomSeed() {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return String(a[0]);
}

async function loadModels() {
  const m = await (await api('/v1/models')).json();
  state.vocabulary = m.vocabulary;
  state.known = m.served_model ? m.served_model.findings : m.vocabulary.findings;
  $('served').textContent = 'Serving ' + (m.served || '…') + ' (' + m.served_reference + ')' +
      (m.served_model ? ', ' + m.served_model.image_size + ' px' : '');
  const select = $('model');
  select.textContent = '';
  const served = option(select, '', m.served + ' — served (' + m.served_reference + ')');
  served.selected = true;
  for (const v of m.versions.slice().reverse()) {
    const tags = v.aliases.length ? ' [' + v.aliases.join(', ') + ']' : '';
    option(select, v.reference, v.reference + tags);
  }
  $('n').max = m.limits.max_n;
  if (m.served_model) {
    $('steps').max = m.served_model.max_steps;
    const d = m.served_model.sampler;
    $('guidance').placeholder = 'the model\'s (' + d.guidance + ' served)';
    $('steps').placeholder = 'the model\'s (' + d.ddim_steps + ' served)';
  }
  if (!$('mentions').children.length) { addMention('Pleural Effusion', 'moderate', 'right', 'unspecified'); }
}

async function loadDatasets() {
  const d = await (await api('/v1/datasets')).json();
  const select = $('dataset');
  select.textContent = '';
  if (!d.datasets.length) { option(select, '', '(no imported dataset)'); return; }
  for (const ds of d.datasets) { option(select, ds.reference, ds.reference + ' — ' + ds.studies + ' studies'); }
  await loadStudies();
}

async function loadStudies() {
  const ref = $('dataset').value;
  const select = $('study');
  select.textContent = '';
  if (!ref) { return; }
  const s = await (await api('/v1/datasets/' + encodeURIComponent(ref) + '/studies?limit=1000')).json();
  for (const st of s.studies) { option(select, st.study, st.study + ' (' + st.split + ')'); }
}

function selectOf(values, chosen, label) {
  const s = document.createElement('select');
  s.setAttribute('aria-label', label);
  for (const v of values) { const o = option(s, v, v); if (v === chosen) { o.selected = true; } }
  return s;
}

function addMention(finding, severity, laterality, zone) {
  const v = state.vocabulary;
  const tr = document.createElement('tr');
  const findings = (state.known || v.findings);
  const cells = [selectOf(findings, finding || findings[0], 'Finding'),
    selectOf(v.severity, severity || 'unspecified', 'Severity'),
    selectOf(v.laterality, laterality || 'unspecified', 'Side'),
    selectOf(v.zone, zone || 'unspecified', 'Zone')];
  for (const c of cells) { const td = document.createElement('td'); td.appendChild(c); tr.appendChild(td); }
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.textContent = 'Remove';
  remove.setAttribute('aria-label', 'Remove this finding');
  remove.addEventListener('click', () => { tr.remove(); $('add-mention').focus(); });
  const td = document.createElement('td');
  td.appendChild(remove);
  tr.appendChild(td);
  $('mentions').appendChild(tr);
  return cells[0];
}

function structuredCondition() {
  return Array.from($('mentions').children).map((tr) => {
    const s = tr.querySelectorAll('select');
    return { finding: s[0].value, severity: s[1].value, laterality: s[2].value, zone: s[3].value };
  });
}

function radio(name) { return document.querySelector('input[name="' + name + '"]:checked').value; }

function syncChoices() {
  const upload = radio('source-kind') === 'upload';
  $('source-upload').hidden = !upload;
  $('source-study').hidden = upload;
  const text = radio('finding-kind') === 'text';
  $('finding-text').hidden = !text;
  $('finding-structured').hidden = text;
  if (!upload && !$('dataset').options.length) { loadDatasets().catch((e) => setStatus(e.message, true)); }
}

async function submit(event) {
  event.preventDefault();
  const form = new FormData();
  if ($('model').value) { form.append('model', $('model').value); }
  if (radio('source-kind') === 'upload') {
    const file = $('image').files[0];
    if (!file) { setStatus('Choose an image to upload.', true); $('image').focus(); return; }
    form.append('image', file, 'upload');
  } else {
    if (!$('dataset').value || !$('study').value) { setStatus('Choose a dataset and a study.', true); return; }
    form.append('dataset', $('dataset').value);
    form.append('study', $('study').value);
  }
  if (radio('finding-kind') === 'text') {
    form.append('finding', $('finding').value);
  } else {
    const c = structuredCondition();
    if (!c.length) { setStatus('Add at least one finding.', true); $('add-mention').focus(); return; }
    form.append('condition', JSON.stringify(c));
  }
  if (!$('seed').value) { $('seed').value = randomSeed(); }
  for (const f of ['n', 'seed']) { form.append(f, $(f).value); }
  // left empty, the model's own sampler settings apply
  for (const f of ['guidance', 'steps']) { if ($(f).value !== '') { form.append(f, $(f).value); } }
  form.append('format', 'json');
  $('generate').disabled = true;
  setStatus('Generating…');
  const started = performance.now();
  try {
    const result = await (await api('/v1/counterfactuals', { method: 'POST', body: form })).json();
    await show(result);
    setStatus(result.n + ' counterfactuals in ' + Math.round(performance.now() - started) + ' ms.');
    $('results-title').focus();
  } catch (e) {
    setStatus(e.message, true);
  } finally {
    $('generate').disabled = false;
  }
}

function figure(url, caption, role, index) {
  const f = document.createElement('figure');
  const img = document.createElement('img');
  img.src = url;
  img.alt = caption;
  img.dataset.role = role;
  if (index !== undefined) { img.dataset.index = String(index); }
  f.appendChild(img);
  const c = document.createElement('figcaption');
  c.textContent = caption;
  f.appendChild(c);
  return f;
}

async function show(r) {
  for (const u of state.urls) { URL.revokeObjectURL(u); }
  state.urls = [];
  const grid = $('grid');
  grid.textContent = '';
  const source = figure(await blobUrl(r.files.source), 'Source', 'source');
  source.classList.add('source');
  grid.appendChild(source);
  const images = await Promise.all(r.counterfactuals.map((c) => blobUrl(c.url)));
  const differences = await Promise.all(r.counterfactuals.map((c) => blobUrl(c.difference_url)));
  r.counterfactuals.forEach((c, i) => {
    const f = figure(images[i], 'Counterfactual ' + (i + 1) + ' of ' + r.n, 'counterfactual', i);
    f.querySelector('img').dataset.sha256 = c.sha256;
    const d = document.createElement('img');
    d.src = differences[i];
    d.alt = 'Difference of counterfactual ' + (i + 1) + ' from the source';
    d.dataset.role = 'difference';
    f.insertBefore(d, f.querySelector('figcaption'));
    grid.appendChild(f);
  });
  $('summary').textContent = r.model + ': ' + r.condition + ' — request “' + r.request + '”, seed ' + r.seed +
      ', n = ' + r.n + ', guidance ' + r.guidance + ', ' + r.ddim_steps + ' DDIM steps' +
      (r.tail_prior ? ', tail prior of ' + r.tail_prior : '') + '.';
  $('download-grid').href = await blobUrl(r.files.contact_sheet);
  $('download-json').href = await blobUrl(r.files.document);
  $('download-zip').href = await blobUrl(r.files.zip);
  const dl = $('provenance');
  dl.textContent = '';
  const rows = [['request seed', r.seed], ['model', r.model], ['bundle digest', r.bundle_digest],
    ['condition', r.condition], ['result id', r.id]];
  for (const [k, v] of Object.entries(r.model_provenance || {})) { rows.push(['model · ' + k, v]); }
  for (const [k, v] of Object.entries(r.generated_by || {})) { rows.push(['generated by · ' + k, v]); }
  for (const [k, v] of rows) {
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd'); dd.textContent = String(v);
    if (k === 'request seed') { dd.id = 'shown-seed'; }
    dl.appendChild(dt); dl.appendChild(dd);
  }
  $('results').hidden = false;
  document.body.dataset.resultId = r.id;
}

function init() {
  $('seed').value = randomSeed();
  $('new-seed').addEventListener('click', () => { $('seed').value = randomSeed(); });
  $('request').addEventListener('submit', submit);
  for (const r of document.querySelectorAll('input[name="source-kind"], input[name="finding-kind"]')) {
    r.addEventListener('change', syncChoices);
  }
  $('dataset').addEventListener('change', () => loadStudies().catch((e) => setStatus(e.message, true)));
  $('add-mention').addEventListener('click', () => addMention().focus());
  $('show-differences').addEventListener('change', (e) => $('grid').classList.toggle('hide-differences', !e.target.checked));
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.token = $('token').value.trim();
    sessionStorage.setItem('causalcxr-token', state.token);
    $('token-panel').hidden = true;
    loadModels().then(() => setStatus('')).catch((err) => setStatus(err.message, true));
  });
  syncChoices();
  loadModels().catch((e) => setStatus(e.message, true));
}

document.addEventListener('DOMContentLoaded', init);
