/* Stripe.js v3 stand-in served by the offline Stripe sandbox (not Stripe's code).
 * Surface: Stripe(pk), elements(), elements.create('card'), element.mount/on/off/unmount/destroy/clear/focus/update,
 * confirmCardPayment, handleCardAction, handleNextAction, retrievePaymentIntent, createPaymentMethod, createToken,
 * redirectToCheckout. Card inputs live in an iframe on the sandbox origin; this script never sees card numbers. */
(function () {
  'use strict';
  if (window.Stripe && window.Stripe.__sandbox) return;

  var SCRIPT = document.currentScript;
  var SRC = SCRIPT && SCRIPT.src ? SCRIPT.src : '';
  var BASE = SRC.replace(/\/v3(\/[^?#]*)?([?#].*)?$/, '');
  var ORIGIN = BASE ? new URL(BASE).origin : '';
  var TAG = 'stripe-sandbox';
  var AUTH_FAIL = 'We are unable to authenticate your payment method. Please choose a different payment method and try again.';
  var uid = 0;

  function form(obj, prefix, out) {
    out = out || [];
    Object.keys(obj || {}).forEach(function (k) {
      var v = obj[k], key = prefix ? prefix + '[' + k + ']' : k;
      if (v === undefined || v === null) return;
      if (typeof v === 'object') form(v, key, out);
      else out.push(encodeURIComponent(key) + '=' + encodeURIComponent(String(v)));
    });
    return out.join('&');
  }

  function api(method, path, params, pk) {
    var q = form(Object.assign({key: pk}, params || {}));
    var init = {method: method, credentials: 'omit'};
    var url = BASE + path;
    if (method === 'GET') url += '?' + q;
    else { init.body = q; init.headers = {'Content-Type': 'application/x-www-form-urlencoded'}; }
    return fetch(url, init).then(function (r) {
      return r.json();
    }).catch(function () {
      return {error: {type: 'api_connection_error', message: 'Could not connect to the Stripe sandbox at ' + BASE + '.'}};
    });
  }

  function integrationError(msg) {
    var e = new Error(msg);
    e.name = 'IntegrationError';
    return e;
  }

  function piIdFromSecret(secret) {
    var m = /^(pi_[A-Za-z0-9]+)_secret_[A-Za-z0-9]+$/.exec(secret || '');
    return m ? m[1] : null;
  }

  // ------------------------------------------------------------------------------------------- Card Element
  function CardElement(elements, type, options) {
    this._elements = elements;
    this._type = type;
    this._id = type + '-' + (++uid) + '-' + Math.random().toString(36).slice(2, 10);
    this._handlers = {};
    this._iframe = null;
    this._ready = false;
    this._queue = [];
    this._pending = {};
    this._options = options || {};
    this._destroyed = false;
    this._onMessage = this._onMessage.bind(this);
  }
  CardElement.prototype.mount = function (target) {
    if (this._destroyed) throw integrationError('This Element has already been destroyed. Please create a new one.');
    var node = typeof target === 'string' ? document.querySelector(target) : target;
    if (!node || !node.appendChild) throw integrationError('The selector you specified (' + target + ') applies to no DOM elements that are currently on the page.');
    if (this._iframe) throw integrationError('This Element is already mounted. Use `unmount` to unmount the Element before re-mounting.');
    var f = document.createElement('iframe');
    f.src = BASE + '/elements/card?id=' + encodeURIComponent(this._id) + '&origin=' + encodeURIComponent(location.origin);
    f.title = 'Secure card payment input frame';
    f.name = '__privateStripeFrame' + uid;
    f.setAttribute('frameborder', '0');
    f.setAttribute('allowtransparency', 'true');
    f.setAttribute('scrolling', 'no');
    f.setAttribute('allow', 'payment *');
    f.style.cssText = 'border:none!important;margin:0!important;padding:0!important;width:100%!important;' +
      'min-width:100%!important;height:44px;display:block;overflow:hidden!important;user-select:none!important;';
    node.classList.add('StripeElement', 'StripeElement--empty');
    node.appendChild(f);
    this._iframe = f;
    this._node = node;
    window.addEventListener('message', this._onMessage);
  };
  CardElement.prototype._emit = function (name, payload) {
    (this._handlers[name] || []).slice().forEach(function (h) {
      try { h(payload); } catch (e) { setTimeout(function () { throw e; }); }
    });
  };
  CardElement.prototype._onMessage = function (ev) {
    if (!this._iframe || ev.origin !== ORIGIN || ev.source !== this._iframe.contentWindow) return;
    var d = ev.data;
    if (!d || d.__sbx !== TAG || d.elementId !== this._id) return;
    if (d.type === 'ready') {
      this._ready = true;
      var q = this._queue; this._queue = [];
      q.forEach(this._post, this);
      this._emit('ready', {elementType: this._type});
    } else if (d.type === 'change') {
      var p = d.payload;
      var cl = this._node.classList;
      cl.toggle('StripeElement--empty', !!p.empty);
      cl.toggle('StripeElement--complete', !!p.complete);
      cl.toggle('StripeElement--invalid', !!p.error);
      this._emit('change', p);
    } else if (d.type === 'focus' || d.type === 'blur') {
      this._node.classList.toggle('StripeElement--focus', d.type === 'focus');
      this._emit(d.type, {elementType: this._type});
    } else if (d.type === 'reply' && this._pending[d.reqId]) {
      var resolve = this._pending[d.reqId];
      delete this._pending[d.reqId];
      resolve(d.result);
    }
  };
  CardElement.prototype._post = function (msg) {
    if (!this._iframe) return;
    if (!this._ready) { this._queue.push(msg); return; }
    this._iframe.contentWindow.postMessage(msg, ORIGIN);
  };
  CardElement.prototype._request = function (type, data) {
    var self = this;
    if (!this._iframe) {
      return Promise.resolve({error: {type: 'invalid_request_error', message: 'The card Element is not mounted.'}});
    }
    return new Promise(function (resolve) {
      var reqId = 'req' + (++uid);
      self._pending[reqId] = resolve;
      self._post({__sbx: TAG, type: type, reqId: reqId, data: data});
    });
  };
  CardElement.prototype.on = function (name, handler) {
    (this._handlers[name] = this._handlers[name] || []).push(handler);
    return this;
  };
  CardElement.prototype.addEventListener = CardElement.prototype.on;
  CardElement.prototype.once = function (name, handler) {
    var self = this;
    function wrap(e) { self.off(name, wrap); handler(e); }
    return this.on(name, wrap);
  };
  CardElement.prototype.off = function (name, handler) {
    if (!handler) delete this._handlers[name];
    else this._handlers[name] = (this._handlers[name] || []).filter(function (h) { return h !== handler; });
    return this;
  };
  CardElement.prototype.removeEventListener = CardElement.prototype.off;
  CardElement.prototype.unmount = function () {
    if (!this._iframe) return this;
    window.removeEventListener('message', this._onMessage);
    this._iframe.remove();
    this._node.classList.remove('StripeElement', 'StripeElement--empty', 'StripeElement--complete',
      'StripeElement--invalid', 'StripeElement--focus');
    this._iframe = null;
    this._ready = false;
    this._queue = [];
    return this;
  };
  CardElement.prototype.destroy = function () {
    this.unmount();
    this._destroyed = true;
    if (this._elements._els[this._type] === this) delete this._elements._els[this._type];
    return this;
  };
  CardElement.prototype.clear = function () { this._post({__sbx: TAG, type: 'clear'}); return this; };
  CardElement.prototype.focus = function () { this._post({__sbx: TAG, type: 'focus'}); return this; };
  CardElement.prototype.blur = function () { this._post({__sbx: TAG, type: 'blur'}); return this; };
  CardElement.prototype.update = function (opts) {
    this._post({__sbx: TAG, type: 'update', data: {disabled: !!(opts && opts.disabled)}});
    return this;
  };

  function Elements(stripe, options) {
    this._stripe = stripe;
    this._options = options || {};
    this._els = {};
  }
  Elements.prototype.create = function (type, options) {
    if (type !== 'card') throw integrationError('The Stripe sandbox only implements the `card` Element (got `' + type + '`).');
    if (this._els[type]) throw integrationError('Can only create one Element of type ' + type + '.');
    var el = new CardElement(this, type, options);
    this._els[type] = el;
    return el;
  };
  Elements.prototype.getElement = function (type) {
    return this._els[type] || null;
  };
  Elements.prototype.update = function () { return this; };

  // ------------------------------------------------------------------------------------------- 3-D Secure modal
  function challenge(url) {
    return new Promise(function (resolve) {
      var overlay = document.createElement('div');
      overlay.setAttribute('data-stripe-sandbox', '3ds-modal');
      overlay.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.45);' +
        'display:flex;align-items:center;justify-content:center;';
      var frame = document.createElement('iframe');
      frame.src = url;
      frame.title = '3D Secure authentication';
      frame.name = '__stripeSandbox3DS';
      frame.style.cssText = 'width:420px;max-width:95vw;height:460px;max-height:90vh;border:0;border-radius:8px;background:#fff;';
      overlay.appendChild(frame);
      document.body.appendChild(overlay);
      function onMsg(ev) {
        if (ev.origin !== ORIGIN || ev.source !== frame.contentWindow) return;
        var d = ev.data;
        if (!d || d.type !== 'stripe-sandbox-3ds-done') return;
        window.removeEventListener('message', onMsg);
        overlay.remove();
        resolve(d);
      }
      window.addEventListener('message', onMsg);
    });
  }

  function errorFromIntent(pi) {
    var e = pi.last_payment_error || {};
    var out = {type: e.type || 'card_error', code: e.code, message: e.message, payment_intent: pi};
    if (e.decline_code) out.decline_code = e.decline_code;
    if (e.doc_url) out.doc_url = e.doc_url;
    if (e.param) out.param = e.param;
    if (e.charge) out.charge = e.charge;
    if (e.payment_method) out.payment_method = e.payment_method;
    if (e.code === 'payment_intent_authentication_failure') out.message = AUTH_FAIL;
    return out;
  }

  // ------------------------------------------------------------------------------------------- Stripe()
  function StripeSandbox(pk, options) {
    if (!(this instanceof StripeSandbox)) return new StripeSandbox(pk, options);
    if (typeof pk !== 'string' || !/^pk_(test|live)_/.test(pk)) {
      throw integrationError('Invalid value for Stripe(): apiKey should be a publishable key (pk_test_...). You specified: ' + pk + '.');
    }
    if (/^pk_live_/.test(pk)) throw integrationError('The Stripe sandbox only accepts test-mode keys (pk_test_...).');
    this._pk = pk;
    this._options = options || {};
  }
  var S = StripeSandbox.prototype;

  S.elements = function (options) { return new Elements(this, options); };

  S._handleAction = function (pi, clientSecret) {
    var self = this;
    var na = pi.next_action || {};
    if (na.type === 'redirect_to_url') {
      window.location.assign(na.redirect_to_url.url);
      return new Promise(function () {});
    }
    if (na.type !== 'use_stripe_sdk') return Promise.resolve({paymentIntent: pi});
    return challenge(na.use_stripe_sdk.stripe_js).then(function () {
      return self.retrievePaymentIntent(clientSecret);
    }).then(function (r) {
      if (r.error) return r;
      var p = r.paymentIntent;
      if (p.status === 'requires_payment_method' && p.last_payment_error) return {error: errorFromIntent(p)};
      return {paymentIntent: p};
    });
  };

  S.confirmCardPayment = function (clientSecret, data, options) {
    var self = this;
    data = data || {};
    options = options || {};
    var pid = piIdFromSecret(clientSecret);
    if (!pid) {
      return Promise.reject(integrationError('Invalid value for confirmCardPayment intent secret: value should be a client_secret string. You specified: ' + clientSecret + '.'));
    }
    var params = {client_secret: clientSecret, use_stripe_sdk: 'true'};
    ['receipt_email', 'setup_future_usage', 'return_url'].forEach(function (k) {
      if (data[k] !== undefined) params[k] = data[k];
    });
    var pm = data.payment_method;
    var step;
    if (typeof pm === 'string') {
      params.payment_method = pm;
      step = Promise.resolve(null);
    } else if (pm && pm.card && pm.card instanceof CardElement) {
      step = pm.card._request('createPaymentMethod', {pk: self._pk, billing_details: pm.billing_details, metadata: pm.metadata})
        .then(function (r) {
          if (r.error) return r;
          params.payment_method = r.paymentMethod.id;
          return null;
        });
    } else if (pm && pm.card && pm.card.token) {
      step = api('POST', '/v1/payment_methods', {type: 'card', card: {token: pm.card.token},
                                                 billing_details: pm.billing_details}, self._pk)
        .then(function (j) {
          if (j.error) return {error: j.error};
          params.payment_method = j.id;
          return null;
        });
    } else if (pm) {
      return Promise.reject(integrationError('Invalid value for confirmCardPayment: payment_method.card should be a card Element.'));
    } else {
      step = Promise.resolve(null);
    }
    return step.then(function (err) {
      if (err) return err;
      return api('POST', '/v1/payment_intents/' + pid + '/confirm', params, self._pk).then(function (j) {
        if (j.error) return {error: j.error};
        if (j.status === 'requires_action' && options.handleActions !== false) return self._handleAction(j, clientSecret);
        return {paymentIntent: j};
      });
    });
  };

  S.handleCardAction = function (clientSecret) {
    return this.handleNextAction({clientSecret: clientSecret});
  };

  S.handleNextAction = function (opts) {
    var self = this;
    var clientSecret = opts && opts.clientSecret;
    return this.retrievePaymentIntent(clientSecret).then(function (r) {
      if (r.error) return r;
      if (r.paymentIntent.status !== 'requires_action') return r;
      return self._handleAction(r.paymentIntent, clientSecret);
    });
  };

  S.retrievePaymentIntent = function (clientSecret) {
    var pid = piIdFromSecret(clientSecret);
    if (!pid) {
      return Promise.resolve({error: {type: 'invalid_request_error', message: 'Invalid value for retrievePaymentIntent: clientSecret should be a client_secret string.'}});
    }
    return api('GET', '/v1/payment_intents/' + pid, {client_secret: clientSecret}, this._pk).then(function (j) {
      return j.error ? {error: j.error} : {paymentIntent: j};
    });
  };

  S.createPaymentMethod = function (a, b, c) {
    var data;
    if (typeof a === 'string') data = Object.assign({type: a, card: b}, c || {});   // legacy signature
    else data = a || {};
    if (data.type !== 'card') return Promise.reject(integrationError('The Stripe sandbox only implements createPaymentMethod({type: "card"}).'));
    if (data.card && data.card.token) {
      return api('POST', '/v1/payment_methods', {type: 'card', card: {token: data.card.token}, billing_details: data.billing_details, metadata: data.metadata}, this._pk)
        .then(function (j) { return j.error ? {error: j.error} : {paymentMethod: j}; });
    }
    if (!(data.card instanceof CardElement)) return Promise.reject(integrationError('Invalid value for createPaymentMethod: card should be a card Element.'));
    return data.card._request('createPaymentMethod', {pk: this._pk, billing_details: data.billing_details, metadata: data.metadata});
  };

  S.createToken = function (element, data) {
    if (!(element instanceof CardElement)) return Promise.reject(integrationError('The Stripe sandbox only implements createToken(cardElement, data).'));
    return element._request('createToken', {pk: this._pk, data: data || {}});
  };

  S.redirectToCheckout = function (opts) {
    if (!opts || !opts.sessionId) {
      return Promise.resolve({error: {type: 'invalid_request_error', message: 'redirectToCheckout: the stripe sandbox requires a sessionId.'}});
    }
    window.location.assign(BASE + '/c/pay/' + encodeURIComponent(opts.sessionId));
    return new Promise(function () {});
  };

  StripeSandbox.__sandbox = true;
  StripeSandbox.version = 3;
  window.Stripe = StripeSandbox;
})();
