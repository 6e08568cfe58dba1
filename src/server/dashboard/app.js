/* AICMO Gateway dashboard: polls /v1/status and renders it. No framework, no build step. */
'use strict';
(function () {
  var POLL_MS = 2500;
  var KEY_STORE = 'aicmo-gateway-key';
  var HEALTH_LABEL = { HEALTHY: 'Healthy', DEGRADED: 'Degraded', UNHEALTHY: 'Unhealthy', UNKNOWN: 'Unknown' };
  var BREAKER_LABEL = { closed: 'closed', open: 'open', half_open: 'half-open', isolated: 'isolated', forced_closed: 'forced closed' };
  var state = { key: sessionStorage.getItem(KEY_STORE) || '', admin: false, authenticated: false, timer: null, skew: 0 };
  var $ = function (id) {
    return document.getElementById(id);
  };

  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs)
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'text') el.textContent = String(v);
        else if (k === 'onclick') el.addEventListener('click', v);
        else el.setAttribute(k, v === true ? '' : String(v));
      });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return el;
  }

  function api(method, path) {
    var headers = { accept: 'application/json' };
    if (state.key) headers.authorization = 'Bearer ' + state.key;
    return fetch(path, { method: method, headers: headers, cache: 'no-store' }).then(function (res) {
      return res.text().then(function (text) {
        var body;
        try {
          body = text ? JSON.parse(text) : null;
        } catch (e) {
          body = null;
        }
        return { status: res.status, body: body };
      });
    });
  }

  function ms(v) {
    return v === null || v === undefined ? '–' : (v < 10 ? v.toFixed(1) : Math.round(v)) + ' ms';
  }
  function pct(v) {
    return v === null || v === undefined ? '–' : Math.round(v * 1000) / 10 + '%';
  }
  function now() {
    return Date.now() + state.skew;
  }
  function ago(t) {
    if (!t) return '–';
    var s = Math.max(0, Math.round((now() - t) / 1000));
    return s < 60 ? s + 's ago' : s < 3600 ? Math.round(s / 60) + 'm ago' : Math.round(s / 3600) + 'h ago';
  }
  function until(t) {
    var s = Math.max(0, Math.ceil((t - now()) / 1000));
    return s >= 60 ? Math.floor(s / 60) + 'm ' + (s % 60) + 's' : s + 's';
  }

  function notice(text) {
    var el = $('notice');
    el.textContent = text;
    el.hidden = !text;
  }

  function fact(label, value, attrs) {
    return h('div', null, h('dt', { text: label }), h('dd', attrs || { text: value }, attrs ? value : null));
  }

  function breakerFact(p) {
    var label = BREAKER_LABEL[p.breakerState] || p.breakerState;
    if (p.breakerState === 'open' && p.openUntil) {
      return fact('Breaker', label + ', retry in ' + until(p.openUntil), {
        'data-until': p.openUntil,
        'data-label': label + ', retry in ',
      });
    }
    if (p.cooldownUntil && p.cooldownUntil > now()) {
      return fact('Breaker', label + ', cooling down ' + until(p.cooldownUntil), {
        'data-until': p.cooldownUntil,
        'data-label': label + ', cooling down ',
      });
    }
    return fact('Breaker', label);
  }

  /** The provider's pace (its rate in force and the calls waiting for a turn), when one applies. */
  function paceFact(p) {
    var pace = p.pace;
    if (!pace || (pace.ratePerSecond === null && !pace.waiting)) return null;
    var rate = pace.ratePerSecond === null ? 'no limit' : pace.ratePerSecond + '/s';
    return fact('Pace', pace.waiting ? rate + ', ' + pace.waiting + ' waiting' : rate);
  }

  function providerCard(cap, p) {
    var actions = null;
    if (state.admin) {
      actions = h(
        'div',
        { class: 'prov-actions' },
        p.breakerState === 'isolated'
          ? null
          : h(
              'button',
              {
                type: 'button',
                class: 'danger',
                'aria-label': 'Isolate ' + p.name,
                onclick: function () {
                  adminAction(p.name, 'isolate');
                },
              },
              'Isolate',
            ),
        h(
          'button',
          {
            type: 'button',
            'aria-label': 'Reset ' + p.name,
            onclick: function () {
              adminAction(p.name, 'reset');
            },
          },
          'Reset',
        ),
      );
    }
    var err = p.lastError;
    return h(
      'article',
      {
        class: 'prov',
        'data-provider': p.name,
        'data-health': p.health,
        'data-breaker': p.breakerState,
        'aria-label': p.name + ': ' + HEALTH_LABEL[p.health],
      },
      h(
        'div',
        { class: 'prov-head' },
        h('span', { class: 'prov-name', text: p.name }),
        h('span', { class: 'badge', 'data-health': p.health, title: p.healthReason || '', text: HEALTH_LABEL[p.health] || p.health }),
      ),
      h(
        'dl',
        { class: 'facts' },
        breakerFact(p),
        fact('EMA', ms(p.latencyMs)),
        fact('p95', ms(p.p95Ms)),
        fact('Success', pct(p.successRate)),
        paceFact(p),
      ),
      err
        ? h('p', {
            class: 'err',
            title: err.code + ': ' + err.message,
            text: 'Last error ' + ago(err.at) + ': ' + err.code + ' – ' + err.message,
          })
        : null,
      actions,
    );
  }

  function renderCapabilities(caps) {
    var rows = $('capability-rows');
    rows.replaceChildren.apply(
      rows,
      caps.map(function (c) {
        var statusText = c.status === 'down' ? 'down' : c.status === 'degraded' ? 'degraded' : 'ok';
        return h(
          'div',
          { class: 'cap', 'data-capability': c.capability, 'data-status': c.status },
          h(
            'div',
            { class: 'cap-name' },
            c.capability,
            h('small', {
              text:
                statusText +
                ' · ' +
                c.usableProviders +
                '/' +
                c.providers.length +
                ' usable' +
                (c.outboxBacklog ? ' · ' + c.outboxBacklog + ' queued' : ''),
            }),
          ),
          h(
            'div',
            { class: 'providers' },
            c.providers
              .map(function (p) {
                return providerCard(c, p);
              })
              .reduce(function (frag, el) {
                frag.appendChild(el);
                return frag;
              }, document.createDocumentFragment()),
          ),
        );
      }),
    );
  }

  function renderSummary(r) {
    var s = r.summary,
      a = s.activeRecommendations;
    var item = function (label, value) {
      return h('div', null, h('span', { class: 'muted', text: label }), h('b', { text: value }));
    };
    $('summary').replaceChildren(
      item('Providers', String(s.providersTracked)),
      item('Checks recorded', String(s.checksRecorded)),
      item('Check success', pct(s.successRate)),
      item('Critical', String(a.critical)),
      item('Warnings', String(a.warning)),
      item('Info', String(a.info)),
    );
    var overall = $('overall');
    overall.dataset.overall = s.overall;
    overall.textContent = s.overall === 'healthy' ? 'All healthy' : s.overall === 'warning' ? 'Warnings' : 'Critical';
    var mode = $('mode');
    mode.hidden = !r.gateway;
    if (r.gateway) mode.textContent = r.gateway.mode === 'dry_run' ? 'Dry run (sandbox)' : 'Live';
    var re = r.gateway && r.gateway.reload && r.gateway.reload.error;
    var banner = $('reload-error');
    banner.hidden = !re;
    if (re)
      banner.textContent = 'Config reload failed ' + ago(re.at) + ' (the previous config keeps running): ' + re.message.split('\n')[0];
  }

  function renderRecommendations(recs) {
    var list = $('recommendations');
    if (!recs.length) {
      list.replaceChildren(h('li', { class: 'empty', text: 'None: nothing to do.' }));
      return;
    }
    list.replaceChildren.apply(
      list,
      recs.map(function (r) {
        return h(
          'li',
          { 'data-severity': r.severity },
          h(
            'p',
            null,
            h('span', { class: 'sev', text: r.severity }),
            ' ',
            h('strong', { text: r.capability + (r.provider === '*' ? '' : ' / ' + r.provider) }),
          ),
          h('p', { text: r.issue }),
          h('p', { class: 'muted', text: 'Action: ' + r.action }),
        );
      }),
    );
  }

  /** The newest jobs with a progress bar, rate and time left; the panel stays hidden where the store has no jobs (501). */
  function renderJobs(res) {
    var panel = $('jobs-panel');
    if (res.status !== 200 || !res.body) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    var list = $('jobs');
    if (!res.body.jobs.length) {
      list.replaceChildren(h('li', { class: 'empty', text: 'No jobs yet.' }));
      return;
    }
    list.replaceChildren.apply(
      list,
      res.body.jobs.map(function (j) {
        var c = j.counts;
        var done = j.items - c.pending - c.in_progress;
        var failed = c.failed + c.dead + c.unknown_outcome;
        var left =
          j.etaSeconds === null
            ? ''
            : ' · about ' + (j.etaSeconds < 120 ? j.etaSeconds + ' s' : Math.round(j.etaSeconds / 60) + ' min') + ' left';
        return h(
          'li',
          { 'data-job': j.id, 'data-state': j.state },
          h('p', null, h('strong', { text: j.capability }), ' ', h('span', { class: 'muted', text: j.state + ' · ' + j.id })),
          h('progress', {
            max: j.items,
            value: done,
            'aria-label': j.capability + ' job ' + j.id + ': ' + done + ' of ' + j.items + ' done',
          }),
          h('p', {
            text: done + ' / ' + j.items + ' done · ' + j.ratePerSecond + '/s' + left + (failed ? ' · ' + failed + ' failed' : ''),
          }),
        );
      }),
    );
  }

  var SVG = 'http://www.w3.org/2000/svg';
  var LEVEL_LABEL = { ok: 'ok', warning: 'warning', critical: 'critical' };

  function rate(v) {
    return v === null ? 'not judged yet' : (v * 100).toFixed(v < 0.01 ? 2 : 1) + ' %';
  }

  /** 24 hourly bars (oldest left): copies sent, and over them bounces and complaints; a text summary for screen readers. */
  function hourlyChart(provider, hourly, nowMs) {
    var HOUR = 3600000;
    var start = Math.floor(nowMs / HOUR) * HOUR - 23 * HOUR;
    var sent = [];
    var bad = [];
    for (var i = 0; i < 24; i++) {
      sent.push(0);
      bad.push(0);
    }
    hourly.forEach(function (b) {
      if (b.provider !== provider) return;
      var i = Math.round((Date.parse(b.hour) - start) / HOUR);
      if (i < 0 || i > 23) return;
      sent[i] += b.counts.sent || 0;
      bad[i] += (b.counts.hard_bounce || 0) + (b.counts.complaint || 0);
    });
    var max = Math.max.apply(null, sent.concat(bad).concat([1]));
    var total = sent.reduce(function (a, b) {
      return a + b;
    }, 0);
    var badTotal = bad.reduce(function (a, b) {
      return a + b;
    }, 0);
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 240 40');
    svg.setAttribute('class', 'chart');
    svg.setAttribute('role', 'img');
    svg.setAttribute(
      'aria-label',
      provider + ', last 24 hours: ' + total + ' sent, ' + badTotal + ' bounced or complained (bars per hour, oldest first)',
    );
    for (var k = 0; k < 24; k++) {
      [
        [sent[k], 'bar-sent'],
        [bad[k], 'bar-bad'],
      ].forEach(function (pair) {
        if (!pair[0]) return;
        var height = Math.max(1, Math.round((pair[0] / max) * 38));
        var r = document.createElementNS(SVG, 'rect');
        r.setAttribute('x', String(k * 10 + 1));
        r.setAttribute('y', String(40 - height));
        r.setAttribute('width', '8');
        r.setAttribute('height', String(height));
        r.setAttribute('class', pair[1]);
        svg.appendChild(r);
      });
    }
    return svg;
  }

  /** Per provider: the window's counts, the two rates against their thresholds, and 24 hourly bars. Hidden until there is mail to show. */
  function renderDeliverability(res) {
    var panel = $('deliverability-panel');
    if (res.status !== 200 || !res.body || !res.body.providers.length) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    var r = res.body;
    var t = r.thresholds;
    $('deliverability-window').textContent =
      'Last ' +
      r.windowHours +
      ' h; rates judged from ' +
      t.minSent +
      ' sent. Complaints warn at ' +
      rate(t.complaintWarning) +
      ', critical at ' +
      rate(t.complaintCritical) +
      '; hard bounces ' +
      rate(t.hardBounceWarning) +
      ' / ' +
      rate(t.hardBounceCritical) +
      '.';
    var list = $('deliverability');
    list.replaceChildren.apply(
      list,
      r.providers.map(function (p) {
        var c = p.counts;
        return h(
          'li',
          { 'data-provider': p.provider, 'data-complaint': p.complaint, 'data-hard-bounce': p.hardBounce },
          h('p', null, h('strong', { text: p.provider })),
          h('p', {
            class: 'muted',
            text:
              c.sent +
              ' sent · ' +
              c.delivered +
              ' delivered · ' +
              c.hard_bounce +
              ' bounced · ' +
              c.complaint +
              ' complained · ' +
              c.unsubscribe +
              ' unsubscribed',
          }),
          h(
            'p',
            null,
            h('span', {
              class: 'level level-' + p.complaint,
              text: 'Complaints ' + rate(p.complaintRate) + ' (' + LEVEL_LABEL[p.complaint] + ')',
            }),
            ' ',
            h('span', {
              class: 'level level-' + p.hardBounce,
              text: 'Hard bounces ' + rate(p.hardBounceRate) + ' (' + LEVEL_LABEL[p.hardBounce] + ')',
            }),
          ),
          hourlyChart(p.provider, r.hourly, Date.parse(r.at)),
        );
      }),
    );
  }

  /** An SVG of one value per minute: bars (each bar [ok, failed] stacked) or a line; the label says it in words. */
  function minuteChart(label, bars, line) {
    var n = (bars || line).length;
    var W = 240;
    var H = 40;
    var step = W / n;
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.setAttribute('class', 'chart');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label);
    if (bars) {
      var max = Math.max.apply(
        null,
        bars
          .map(function (b) {
            return b[0] + b[1];
          })
          .concat([1]),
      );
      bars.forEach(function (b, i) {
        var y = H;
        [
          [b[0], 'bar-ok'],
          [b[1], 'bar-bad'],
        ].forEach(function (part) {
          if (!part[0]) return;
          var height = Math.max(1, Math.round((part[0] / max) * (H - 2)));
          y -= height;
          var r = document.createElementNS(SVG, 'rect');
          r.setAttribute('x', (i * step + 0.5).toFixed(1));
          r.setAttribute('y', String(y));
          r.setAttribute('width', Math.max(1, step - 1).toFixed(1));
          r.setAttribute('height', String(height));
          r.setAttribute('class', part[1]);
          svg.appendChild(r);
        });
      });
    }
    if (line) {
      var top = Math.max.apply(
        null,
        line
          .filter(function (v) {
            return v !== null;
          })
          .concat([1]),
      );
      var points = [];
      line.forEach(function (v, i) {
        if (v !== null) points.push((i * step + step / 2).toFixed(1) + ',' + (H - 1 - (v / top) * (H - 4)).toFixed(1));
      });
      if (points.length) {
        var pl = document.createElementNS(SVG, 'polyline');
        pl.setAttribute('points', points.join(' '));
        pl.setAttribute('class', 'line');
        svg.appendChild(pl);
      }
    }
    return svg;
  }

  function sum(values) {
    return values.reduce(function (a, b) {
      return a + (b || 0);
    }, 0);
  }

  /** The last hour (GET /v1/history): per provider calls, failures and p95; failovers per capability; the outbox backlog. */
  function renderHistory(res) {
    var panel = $('history-panel');
    if (res.status !== 200 || !res.body) {
      panel.hidden = true;
      return;
    }
    var r = res.body;
    panel.hidden = false;
    var list = $('history-providers');
    var rows = r.providers.map(function (p) {
      var calls = sum(p.calls);
      var failed = sum(p.failures);
      var last = p.p95Ms.filter(function (v) {
        return v !== null;
      });
      var latest = last.length ? last[last.length - 1] : null;
      var label =
        p.provider +
        ', last hour: ' +
        calls +
        ' calls, ' +
        failed +
        ' failed, success ' +
        pct(p.successRate) +
        (latest === null ? '' : ', latest p95 ' + ms(latest));
      return h(
        'li',
        { 'data-history-provider': p.provider },
        h('p', null, h('strong', { text: p.provider }), h('span', { class: 'muted', text: ' ' + p.capability })),
        h('p', { class: 'muted', text: calls + ' calls · ' + failed + ' failed · success ' + pct(p.successRate) + ' · p95 ' + ms(latest) }),
        minuteChart(
          label,
          p.calls.map(function (c, i) {
            return [c - p.failures[i], p.failures[i]];
          }),
          p.p95Ms,
        ),
      );
    });
    list.replaceChildren.apply(list, rows.length ? rows : [h('li', { class: 'empty', text: 'No calls in the last hour.' })]);

    var failovers = $('history-failovers');
    var frows = r.failovers.map(function (f) {
      return h(
        'li',
        { 'data-history-failovers': f.capability },
        h('p', null, h('strong', { text: f.capability }), ' ' + f.total + ' failover' + (f.total === 1 ? '' : 's')),
        minuteChart(
          f.capability + ', last hour: ' + f.total + ' failovers',
          f.counts.map(function (c) {
            return [0, c];
          }),
          null,
        ),
      );
    });
    failovers.replaceChildren.apply(
      failovers,
      frows.length ? frows : [h('li', { class: 'empty', text: 'No failovers in the last hour.' })],
    );

    var sampled = r.backlog.filter(function (v) {
      return v !== null;
    });
    var now = sampled.length ? sampled[sampled.length - 1] : 0;
    $('history-backlog').replaceChildren(
      h('p', {
        class: 'muted',
        'data-backlog': now,
        text: now + ' waiting now, at most ' + Math.max.apply(null, sampled.concat([0])) + ' this hour',
      }),
      minuteChart('Outbox backlog, last hour: ' + now + ' deliveries waiting now', null, r.backlog),
    );
  }

  function renderChecks(checks) {
    var body = $('checks');
    if (!checks.length) {
      body.replaceChildren(h('tr', null, h('td', { colspan: 4, class: 'empty', text: 'No checks yet: run a self-check.' })));
      return;
    }
    body.replaceChildren.apply(
      body,
      checks.slice(0, 12).map(function (c) {
        var result = c.skipped
          ? h('span', { class: 'muted', text: c.skipped.replace('_', ' ') })
          : c.success
            ? h('span', { class: 'ok', text: '✓ ok' })
            : h('span', { class: 'failed', title: c.error ? c.error.message : '', text: '✗ ' + (c.error ? c.error.kind : 'failed') });
        return h(
          'tr',
          null,
          h('td', { text: ago(c.timestamp) }),
          h('td', { text: c.provider + (c.source === 'traffic' ? ' (traffic)' : '') }),
          h('td', null, result),
          h('td', { text: ms(c.latencyMs) }),
        );
      }),
    );
  }

  function refresh() {
    clearTimeout(state.timer);
    var gen = (state.gen = (state.gen || 0) + 1);
    return api('GET', '/v1/status')
      .then(
        function (res) {
          if (res.status === 401) {
            start();
            return 'stop';
          }
          if (res.status !== 200 || !res.body) {
            $('updated').textContent = 'Status unavailable (HTTP ' + res.status + ')';
            return;
          }
          var r = res.body;
          state.skew = r.generatedAt - Date.now();
          renderSummary(r);
          renderCapabilities(r.capabilities);
          renderRecommendations(
            r.recommendations.filter(function (x) {
              return x.resolvedAt === null;
            }),
          );
          renderChecks(r.recentChecks);
          $('updated').textContent = 'Updated ' + new Date(r.generatedAt).toLocaleTimeString();
          document.body.dataset.loaded = 'true';
          return Promise.all([
            api('GET', '/v1/jobs?limit=5').then(renderJobs, function () {
              $('jobs-panel').hidden = true;
            }),
            api('GET', '/v1/deliverability').then(renderDeliverability, function () {
              $('deliverability-panel').hidden = true;
            }),
            api('GET', '/v1/history').then(renderHistory, function () {
              $('history-panel').hidden = true;
            }),
          ]);
        },
        function () {
          $('updated').textContent = 'Connection lost; retrying…';
        },
      )
      .then(function (stop) {
        // Only the latest refresh schedules the next one, so there is never more than one polling loop.
        if (stop !== 'stop' && gen === state.gen) state.timer = setTimeout(refresh, POLL_MS);
      });
  }

  function tick() {
    var els = document.querySelectorAll('[data-until]');
    for (var i = 0; i < els.length; i++)
      els[i].textContent = els[i].getAttribute('data-label') + until(Number(els[i].getAttribute('data-until')));
  }

  function whoami() {
    return api('GET', '/v1/whoami').then(
      function (res) {
        var me = res.status === 200 && res.body ? res.body : { authenticated: false, authRequired: true, admin: false };
        state.admin = me.authenticated && me.admin === true;
        state.authenticated = me.authenticated;
        $('self-check').disabled = !me.authenticated;
        if (!me.authenticated) {
          clearTimeout(state.timer);
          $('updated').textContent = state.key ? 'That API key was not accepted.' : 'Enter an API key to see the status.';
          $('api-key').focus();
        }
      },
      function () {
        state.authenticated = false;
        $('updated').textContent = 'Cannot reach the gateway.';
      },
    );
  }

  function start() {
    whoami().then(function () {
      if (state.authenticated) refresh();
    });
  }

  function selfCheck() {
    var btn = $('self-check');
    btn.disabled = true;
    btn.textContent = 'Running self-check…';
    api('POST', '/v1/self-check')
      .then(
        function (res) {
          if (res.status !== 200 || !res.body) {
            notice('Self-check failed (HTTP ' + res.status + ')');
            return;
          }
          var results = res.body.results,
            failed = results.filter(function (x) {
              return !x.success && !x.skipped;
            }).length;
          notice(
            'Self-check done: ' +
              (results.length - failed) +
              ' ok, ' +
              failed +
              ' failed, ' +
              res.body.recommendations.length +
              ' active recommendations.',
          );
        },
        function () {
          notice('Self-check failed: connection lost');
        },
      )
      .then(function () {
        btn.disabled = false;
        btn.textContent = 'Run self-check';
        refresh();
      });
  }

  function adminAction(provider, action) {
    api('POST', '/v1/providers/' + encodeURIComponent(provider) + '/' + action).then(function (res) {
      notice(
        res.status === 200
          ? provider + ': ' + action + ' done.'
          : provider +
              ': ' +
              action +
              ' refused (HTTP ' +
              res.status +
              (res.body && res.body.error ? ', ' + res.body.error.message : '') +
              ')',
      );
      refresh();
    });
  }

  $('self-check').addEventListener('click', selfCheck);
  $('key-form').addEventListener('submit', function (e) {
    e.preventDefault();
    state.key = $('api-key').value.trim();
    if (state.key) sessionStorage.setItem(KEY_STORE, state.key);
    else sessionStorage.removeItem(KEY_STORE);
    $('api-key').value = '';
    $('api-key').placeholder = state.key ? 'key set' : 'not set';
    start();
  });
  $('forget-key').addEventListener('click', function () {
    state.key = '';
    sessionStorage.removeItem(KEY_STORE);
    $('api-key').placeholder = 'not set';
    start();
  });
  if (state.key) $('api-key').placeholder = 'key set';
  setInterval(tick, 1000);
  start();
})();
