// Block Kit drawn as DOM. Every piece of text becomes a text node, never HTML, so nothing a
// person typed can inject markup. Only the types listed in blockkit.json are drawn; any
// other shows as "unsupported", which the tests look for.
"use strict";

const BlockKit = (() => {
  const h = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) {
        node.append(typeof child === "string" ? document.createTextNode(child) : child);
      }
    }
    return node;
  };

  // Slack escapes exactly these three in message text.
  const unescape = (text) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const safeUrl = (url) => (/^(https?:|mailto:|\/)/i.test(url) ? url : null);

  function create(spec) {
    const emojiText = (text) =>
      text.replace(/:([a-z0-9_+-]+):/g, (whole, name) => spec.emoji[name] || whole);

    // In the reader's own timezone, as Slack shows dates; "Today" is the sandbox's today.
    function formatDate(seconds, format, ctx) {
      const when = new Date(seconds * 1000);
      const timeZone = ctx.tz;
      const dayNumber = (d) => {
        const [y, m, n] = new Intl.DateTimeFormat("en-CA", { timeZone }).format(d).split("-");
        return Date.UTC(+y, +m - 1, +n) / 86400000;
      };
      const diff = dayNumber(when) - dayNumber(ctx.now ? new Date(ctx.now) : new Date());
      const date = (opts) => when.toLocaleDateString(undefined, { timeZone, ...opts });
      const pretty = (opts) =>
        diff === 0 ? "Today" : diff === -1 ? "Yesterday" : diff === 1 ? "Tomorrow" : date(opts);
      const short = { month: "short", day: "numeric", year: "numeric" };
      const medium = { month: "long", day: "numeric", year: "numeric" };
      const long = { weekday: "long", month: "long", day: "numeric", year: "numeric" };
      const tokens = {
        date_num: new Intl.DateTimeFormat("en-CA", { timeZone }).format(when),
        date: date(medium),
        date_short: date(short),
        date_long: date(long),
        date_pretty: pretty(medium),
        date_short_pretty: pretty(short),
        date_long_pretty: pretty(long),
        time: when.toLocaleTimeString(undefined, { timeZone, hour: "numeric", minute: "2-digit" }),
        time_secs: when.toLocaleTimeString(undefined, { timeZone }),
      };
      return format.replace(/\{(\w+)\}/g, (whole, name) => tokens[name] ?? whole);
    }

    // <@U1>, <#C1>, <!date^…>, <!channel>, <url|label>: the escaped text's only "<".
    function special(inner, ctx) {
      const [target, label] = [inner.split("|")[0], inner.split("|").slice(1).join("|")];
      if (target.startsWith("@")) {
        const id = target.slice(1);
        return h("span", { class: "bk-mention" }, "@" + (label || ctx.names[id] || id));
      }
      if (target.startsWith("#")) {
        const id = target.slice(1);
        return h("span", { class: "bk-mention" }, "#" + (label || ctx.channels[id] || id));
      }
      if (target.startsWith("!date^")) {
        const [, seconds, format] = target.split("^");
        const text = Number.isFinite(+seconds) ? formatDate(+seconds, format || "", ctx) : label;
        return h("time", { datetime: new Date(+seconds * 1000).toISOString(), title: unescape(label) }, text);
      }
      if (target.startsWith("!")) {
        const name = target.slice(1).split("^")[0];
        return h("span", { class: "bk-mention" }, label ? unescape(label) : "@" + name);
      }
      const href = safeUrl(unescape(target));
      const text = emojiText(unescape(label || target));
      return href ? h("a", { href, target: "_blank", rel: "noopener" }, text) : text;
    }

    // Bold, italic and strike may hold <…> tokens (a mention inside _…_) but never span lines.
    const run = (mark) => `(?<![\\w${mark}])\\${mark}(?!\\s)((?:<[^<>\\n]*>|[^${mark}\\n])+?)\\${mark}(?![\\w${mark}])`;
    const INLINE = new RegExp(`(\`[^\`\\n]+\`)|<([^<>\\n]+)>|${run("*")}|${run("_")}|${run("~")}`);

    function inline(text, ctx) {
      const out = [];
      let rest = text;
      for (let match = INLINE.exec(rest); match; match = INLINE.exec(rest)) {
        if (match.index) out.push(emojiText(unescape(rest.slice(0, match.index))));
        const [, code, tag, bold, italic, strike] = match;
        if (code) out.push(h("code", {}, unescape(code.slice(1, -1))));
        else if (tag) out.push(special(tag, ctx));
        else if (bold) out.push(h("strong", {}, inline(bold, ctx)));
        else if (italic) out.push(h("em", {}, inline(italic, ctx)));
        else out.push(h("s", {}, inline(strike, ctx)));
        rest = rest.slice(match.index + match[0].length);
      }
      if (rest) out.push(emojiText(unescape(rest)));
      return out;
    }

    // Lines: ```pre``` spans, "> " quotes (escaped as "&gt; "), "• " list items.
    function mrkdwn(text, ctx) {
      const root = h("div", { class: "bk-mrkdwn" });
      const parts = String(text).split(/```/);
      parts.forEach((part, index) => {
        if (index % 2) {
          root.append(h("pre", {}, unescape(part.replace(/^\n|\n$/g, ""))));
          return;
        }
        // The newlines around a ```pre``` are its edges, not empty lines.
        const lines = parts.length > 1 ? part.replace(/^\n|\n$/g, "") : part;
        if (!lines && parts.length > 1) return;
        for (const line of lines.split("\n")) {
          const quote = /^(&gt;|>) ?/.exec(line);
          if (quote) root.append(h("blockquote", {}, inline(line.slice(quote[0].length), ctx)));
          else if (/^\s*[•◦▪-] /.test(line)) root.append(h("div", { class: "bk-li" }, inline(line, ctx)));
          else root.append(h("div", { class: "bk-line" }, line ? inline(line, ctx) : "\u00a0"));
        }
      });
      return root;
    }

    const TEXTS = {
      mrkdwn: (obj, ctx) => mrkdwn(obj.text, ctx),
      plain_text: (obj) => h("span", { class: "bk-plain" }, obj.emoji === false ? obj.text : emojiText(obj.text)),
    };
    const plain = (obj) => (obj ? (obj.emoji === false ? obj.text : emojiText(obj.text)) : "");
    const text = (obj, ctx) => draw(TEXTS, obj, ctx, "text");

    const optionLabel = (o) => plain(o.text);
    const people = (ctx) => Object.entries(ctx.names).map(([id, name]) => ({ value: id, label: name }));
    const rooms = (ctx) => Object.entries(ctx.channels).map(([id, name]) => ({ value: id, label: "#" + name }));

    function select(el, ctx, choices, multiple, initial) {
      const picked = new Set([initial].flat().filter(Boolean));
      const node = h("select", { id: ctx.fieldId, multiple, "data-type": el.type, class: "bk-select" },
        multiple ? null : h("option", { value: "" }, plain(el.placeholder) || "Choose…"),
        choices.map((c) => h("option", { value: c.value, selected: picked.has(c.value) }, c.label)));
      if (ctx.onAction && !ctx.inModal) {
        node.addEventListener("change", () => ctx.onAction({ type: el.type, action_id: el.action_id, block_id: ctx.block_id, selected_option: { value: node.value } }));
      }
      return node;
    }
    const staticChoices = (el) => (el.options || el.option_groups?.flatMap((g) => g.options) || [])
      .map((o) => ({ value: o.value, label: optionLabel(o) }));

    function choiceGroup(el, ctx, kind) {
      const chosen = new Set([el.initial_option, ...(el.initial_options || [])].filter(Boolean).map((o) => o.value));
      return h("div", { class: "bk-choices", "data-type": el.type, role: kind === "radio" ? "radiogroup" : "group",
        "aria-labelledby": ctx.labelId },
        el.options.map((o, n) => {
          const id = `${ctx.fieldId}-${n}`;
          return h("div", { class: "bk-choice" },
            h("input", { type: kind, id, name: ctx.fieldId, value: o.value, checked: chosen.has(o.value) }),
            h("label", { for: id }, optionLabel(o)));
        }));
    }

    const ELEMENTS = {
      button: (el, ctx) => h("button", {
        type: "button", class: `bk-button ${el.style || ""}`, "data-action-id": el.action_id,
        onclick: () => (el.url ? window.open(safeUrl(el.url) || "about:blank", "_blank", "noopener")
          : ctx.onAction?.({ type: "button", action_id: el.action_id, block_id: ctx.block_id, value: el.value, text: el.text })),
      }, plain(el.text)),
      plain_text_input: (el, ctx) => h(el.multiline ? "textarea" : "input", {
        id: ctx.fieldId, "data-type": el.type, class: "bk-text", rows: el.multiline ? 4 : undefined,
        maxlength: el.max_length, minlength: el.min_length, placeholder: plain(el.placeholder),
        value: el.multiline ? undefined : el.initial_value,
      }, el.multiline ? el.initial_value || "" : null),
      url_text_input: (el, ctx) => h("input", {
        id: ctx.fieldId, type: "url", "data-type": el.type, class: "bk-text",
        placeholder: plain(el.placeholder), value: el.initial_value,
      }),
      number_input: (el, ctx) => h("input", {
        id: ctx.fieldId, type: "number", "data-type": el.type, class: "bk-text", min: el.min_value,
        max: el.max_value, step: el.is_decimal_allowed ? "any" : "1", value: el.initial_value,
      }),
      timepicker: (el, ctx) => h("input", { id: ctx.fieldId, type: "time", "data-type": el.type, value: el.initial_time }),
      datepicker: (el, ctx) => h("input", { id: ctx.fieldId, type: "date", "data-type": el.type, value: el.initial_date }),
      static_select: (el, ctx) => select(el, ctx, staticChoices(el), false, el.initial_option?.value),
      multi_static_select: (el, ctx) => select(el, ctx, staticChoices(el), true, (el.initial_options || []).map((o) => o.value)),
      users_select: (el, ctx) => select(el, ctx, people(ctx), false, el.initial_user),
      multi_users_select: (el, ctx) => select(el, ctx, people(ctx), true, el.initial_users),
      channels_select: (el, ctx) => select(el, ctx, rooms(ctx), false, el.initial_channel),
      multi_channels_select: (el, ctx) => select(el, ctx, rooms(ctx), true, el.initial_channels),
      conversations_select: (el, ctx) => select(el, ctx, rooms(ctx), false, el.initial_conversation),
      multi_conversations_select: (el, ctx) => select(el, ctx, rooms(ctx), true, el.initial_conversations),
      checkboxes: (el, ctx) => choiceGroup(el, ctx, "checkbox"),
      radio_buttons: (el, ctx) => choiceGroup(el, ctx, "radio"),
      image: (el) => h("img", { class: "bk-thumb", src: safeUrl(el.image_url), alt: el.alt_text || "" }),
    };
    const element = (el, ctx) => draw(ELEMENTS, el, ctx, "element");

    const BLOCKS = {
      header: (b) => h("h3", { class: "bk-header" }, plain(b.text)),
      divider: () => h("hr", { class: "bk-divider" }),
      section: (b, ctx) => h("div", { class: "bk-section" },
        h("div", { class: "bk-section-body" },
          b.text ? text(b.text, ctx) : null,
          b.fields ? h("div", { class: "bk-fields" }, b.fields.map((f) => text(f, ctx))) : null),
        b.accessory ? h("div", { class: "bk-accessory" }, element(b.accessory, ctx)) : null),
      context: (b, ctx) => h("div", { class: "bk-context" },
        b.elements.map((e) => (e.type === "image" ? element(e, ctx) : text(e, ctx)))),
      actions: (b, ctx) => h("div", { class: "bk-actions" }, b.elements.map((e) => element(e, ctx))),
      image: (b) => h("figure", { class: "bk-image" },
        b.title ? h("figcaption", {}, plain(b.title)) : null,
        h("img", { src: safeUrl(b.image_url), alt: b.alt_text || "" })),
      input: (b, ctx) => {
        const fieldId = `field-${b.block_id}`;
        const labelId = `label-${b.block_id}`;
        const inner = { ...ctx, fieldId, labelId };
        const grouped = ["checkboxes", "radio_buttons"].includes(b.element.type);
        return h("div", { class: "bk-input", "data-block-id": b.block_id, "data-action-id": b.element.action_id,
          "data-optional": b.optional ? "true" : "false" },
          h(grouped ? "span" : "label", { id: labelId, for: grouped ? undefined : fieldId, class: "bk-label" },
            plain(b.label), b.optional ? h("span", { class: "bk-optional" }, " (optional)") : null),
          element(b.element, inner),
          b.hint ? h("div", { class: "bk-hint" }, plain(b.hint)) : null,
          h("div", { class: "bk-error", id: `error-${b.block_id}`, role: "alert" }));
      },
    };

    function draw(table, obj, ctx, what) {
      const listed = spec[what === "text" ? "texts" : what + "s"].includes(obj?.type);
      if (!listed || !table[obj.type]) {
        return h("div", { class: "bk-unsupported" }, `Unsupported ${what}: ${obj?.type}`);
      }
      return table[obj.type](obj, ctx);
    }

    const renderBlocks = (blocks, ctx) =>
      h("div", { class: "bk-blocks" }, blocks.map((b) => h("div", { class: "bk-block", "data-block-type": b.type },
        draw(BLOCKS, b, { ...ctx, block_id: b.block_id }, "block"))));

    return { renderBlocks, mrkdwn, plain, tables: { blocks: BLOCKS, elements: ELEMENTS, texts: TEXTS }, h };
  }

  return { create };
})();
