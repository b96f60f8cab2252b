// The aivideo page: plain JavaScript, no build step, no outside requests.
"use strict";

const STAGES = ["script", "speech", "subtitles", "visuals", "render", "thumbnail"];
// Where a scene's picture comes from, told in its alt text.
const VISUALS = {
  user_media: "your picture", media_urls: "a picture from your links", stock: "a stock picture",
  pictograms: "pictograms", painted: "a painted background",
};
const $ = (id) => document.getElementById(id);
let following = null; // the AbortController of the progress stream being read

function apiKey() { return localStorage.getItem("aivideo-key") || ""; }

function headers(extra = {}) {
  const key = apiKey();
  return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: headers(options.headers) });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const message = body?.error?.message || `the server answered ${response.status}`;
    throw new ApiError(response.status, message);
  }
  return body;
}

// Without a key the browser fetches files itself (following a redirect to the
// store, if the server answers with one). With a key, the page asks where the file
// is: a presigned URL of the store needs no key; otherwise the file comes as a blob.
async function fileUrl(path) {
  if (!apiKey()) return path;
  const link = await api(`${path}?link=true`);
  if (link.url) return link.url;
  const response = await fetch(path, { headers: headers() });
  if (!response.ok) throw new ApiError(response.status, `could not load ${path}`);
  return URL.createObjectURL(await response.blob());
}

function clearErrors() {
  for (const element of document.querySelectorAll(".error")) element.textContent = "";
  for (const element of document.querySelectorAll("[aria-invalid]")) {
    element.removeAttribute("aria-invalid");
  }
}

// "voice: unknown voice ..." goes next to the voice field; anything else under the form.
function showFormError(error) {
  const field = /^(\w+):/.exec(error.message)?.[1];
  const input = field && $(field);
  if (input && $(`${field}-error`)) {
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", `${field}-error`);
    $(`${field}-error`).textContent = error.message;
    input.focus();
  } else {
    $("form-error").textContent = error.message;
  }
}

async function submitVideo(event) {
  event.preventDefault();
  clearErrors();
  const fromPrompt = promptMode();
  const request = {
    ...(fromPrompt
      ? { prompt: $("prompt").value, target_seconds: Number($("target_seconds").value) }
      : { text: $("text").value }),
    quality: $("quality").value,
    format: $("format").value,
    aspect: $("aspect").value,
    subtitles: $("subtitles").value,
    caption_style: $("caption-style").value,
    visuals: $("visuals").value,
  };
  if ($("title").value.trim()) request.title = $("title").value.trim();
  if ($("voice").value) request.voice = $("voice").value;
  if ($("language").value.trim()) request.language = $("language").value.trim();
  $("submit").disabled = true;
  try {
    const video = await api("/v1/videos", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(request),
    });
    follow(video.id);
    loadVideos();
  } catch (error) {
    showFormError(error);
  } finally {
    $("submit").disabled = false;
  }
}

function showStages(current, status) {
  const list = $("stages");
  list.replaceChildren();
  const reached = STAGES.indexOf(current);
  STAGES.forEach((stage, index) => {
    const item = document.createElement("li");
    item.textContent = stage;
    if (status === "completed" || index < reached) item.className = "done";
    else if (index === reached && status === "running") item.className = "current";
    list.append(item);
  });
}

function showProgress(data) {
  $("current-progress").value = data.percent ?? 0;
  const stage = data.stage ? `, ${data.stage}` : "";
  $("current-status").textContent = `${data.status}${stage}: ${data.percent ?? 0} %`;
  showStages(data.stage, data.status);
  $("current-cancel").hidden = !["queued", "running"].includes(data.status);
}

async function showResult(video) {
  $("current-status").textContent = `${video.status}`;
  $("current-cancel").hidden = true;
  if (video.status === "completed") {
    $("current-progress").value = 100;
    showStages(null, "completed");
    const base = `/v1/videos/${video.id}`;
    // Every link first, then all shown at once: the result never appears half
    // linked, and the video is fetched once for the player and the download.
    const names = ["thumbnail.jpg", "file", "subtitles.srt", "subtitles.vtt"];
    const [poster, file, srt, vtt] = await Promise.all(
      names.map((name) => fileUrl(`${base}/${name}`)),
    );
    $("player").poster = poster;
    $("player").src = file;
    $("download-video").href = file;
    $("download-srt").href = srt;
    $("download-vtt").href = vtt;
    $("result").hidden = false;
  } else if (video.status === "failed") {
    $("current-error").textContent = video.error || "the video failed";
  }
  loadVideos();
}

function pause(milliseconds, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, milliseconds);
    signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

function clock(seconds) {
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

function pictogramList(pictograms) {
  const list = document.createElement("ul");
  list.className = "pictograms";
  for (const pictogram of pictograms) {
    const item = document.createElement("li");
    const emoji = document.createElement("span");
    emoji.textContent = pictogram.emoji;
    emoji.title = pictogram.name;
    emoji.setAttribute("role", "img");
    emoji.setAttribute("aria-label", pictogram.name);
    // Also written out: where no emoji font is installed, the emoji is a blank box.
    const name = document.createElement("span");
    name.textContent = pictogram.name;
    name.setAttribute("aria-hidden", "true");
    item.append(emoji, name);
    list.append(item);
  }
  return list;
}

function sceneCard(scene) {
  const card = document.createElement("li");
  const number = `Scene ${scene.index + 1}`;
  const picture = document.createElement("img");
  const names = scene.pictograms.length ? scene.pictograms.map((p) => p.name) : scene.keywords;
  const of = names.length ? ` of ${names.join(", ")}` : "";
  picture.alt = `${number}: ${VISUALS[scene.visual] || "a picture"}${of}`;
  if (scene.preview_url) {
    fileUrl(scene.preview_url).then((url) => { picture.src = url; }, () => {});
  }
  const heading = document.createElement("h4");
  const start = document.createElement("time");
  start.dateTime = `PT${scene.start.toFixed(2)}S`;
  start.textContent = clock(scene.start);
  heading.append(start, ` ${scene.headline || number}`);
  const narration = document.createElement("p");
  narration.textContent = scene.narration;
  card.append(picture, heading, narration);
  if (scene.pictograms.length) card.append(pictogramList(scene.pictograms));
  return card;
}

function showStoryboard(storyboard) {
  $("scenes").replaceChildren(...storyboard.scenes.map(sceneCard));
  $("scene-credits").textContent = storyboard.credits.join(" · ");
  $("storyboard").hidden = false;
}

// The visuals stage writes the storyboard before the render starts: ask for it
// each second until it is there; once the video has ended, ask one last time.
async function followStoryboard(videoId, signal, ended) {
  while (!signal.aborted) {
    const last = ended();
    try {
      const storyboard = await api(`/v1/videos/${videoId}/scenes`, { signal });
      if (!signal.aborted) showStoryboard(storyboard);
      return;
    } catch (error) {
      if (error.name === "AbortError") return;
      if (error.status !== 404) {
        $("storyboard-error").textContent = error.message;
        return;
      }
    }
    if (last) return;
    await pause(1000, signal);
  }
}

// Server-Sent Events read with fetch, so the API key can go in a header.
async function readEvents(response, onEvent) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trim());
      }
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    }
  }
}

async function follow(videoId) {
  following?.abort();
  following = new AbortController();
  $("current").hidden = false;
  $("result").hidden = true;
  $("player").removeAttribute("src");
  $("player").removeAttribute("poster");
  $("current-error").textContent = "";
  $("storyboard-error").textContent = "";
  $("storyboard").hidden = true;
  $("scenes").replaceChildren();
  $("log").replaceChildren();
  $("current").dataset.videoId = videoId;
  showProgress({ status: "queued", percent: 0 });
  let ended = false;
  followStoryboard(videoId, following.signal, () => ended);
  try {
    const response = await fetch(`/v1/videos/${videoId}/progress`, {
      headers: headers(), signal: following.signal,
    });
    if (!response.ok) throw new ApiError(response.status, "could not follow the video");
    let reconnect = false; // the server ends a long stream: follow again (the log is resent)
    await readEvents(response, (name, data) => {
      if (name === "reconnect") reconnect = true;
      else if (name === "progress") showProgress(data);
      else if (name === "log") {
        const line = document.createElement("li");
        line.textContent = data.message;
        $("log").append(line);
      } else if (name === "done") {
        ended = true;
        if (data.video) showResult(data.video);
      }
    });
    if (reconnect) follow(videoId);
  } catch (error) {
    if (error.name !== "AbortError") $("current-error").textContent = error.message;
  } finally {
    ended = true;
  }
}

async function act(videoId, action, errorElement) {
  try {
    await api(`/v1/videos/${videoId}/${action}`, { method: "POST" });
    if (action === "retry") follow(videoId);
    loadVideos();
  } catch (error) {
    errorElement.textContent = error.message;
  }
}

function button(label, onClick, secondary = true) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = label;
  if (secondary) element.className = "secondary";
  element.addEventListener("click", onClick);
  return element;
}

async function loadVideos() {
  try {
    const page = await api("/v1/videos?limit=20");
    const list = $("videos");
    list.replaceChildren();
    for (const video of page.items) {
      const item = document.createElement("li");
      const thumbnail = document.createElement("img");
      thumbnail.alt = video.status === "completed" ? "Thumbnail" : "";
      if (video.status === "completed") {
        fileUrl(`/v1/videos/${video.id}/thumbnail.jpg`).then((url) => { thumbnail.src = url; });
      }
      const details = document.createElement("div");
      const name = document.createElement("strong");
      name.textContent = video.title || video.text.slice(0, 80);
      const meta = document.createElement("p");
      meta.className = "meta";
      const duration = video.output ? `, ${video.output.duration_seconds.toFixed(1)} s` : "";
      meta.textContent = `${video.status}${duration}`;
      const actions = document.createElement("div");
      actions.className = "actions";
      const error = document.createElement("p");
      error.className = "error";
      error.setAttribute("role", "alert");
      actions.append(button(video.status === "completed" ? "Watch" : "Follow",
        () => follow(video.id)));
      if (["queued", "running"].includes(video.status)) {
        actions.append(button("Cancel", () => act(video.id, "cancel", error)));
      }
      if (["failed", "cancelled"].includes(video.status)) {
        actions.append(button("Retry", () => act(video.id, "retry", error)));
      }
      details.append(name, meta, actions, error);
      item.append(thumbnail, details);
      list.append(item);
    }
    $("past-error").textContent = "";
  } catch (error) {
    $("past-error").textContent = error.message;
  }
}

function promptMode() {
  return document.querySelector('input[name="mode"]:checked')?.value === "prompt";
}

function showMode() {
  $("text-field").hidden = promptMode();
  $("prompt-fields").hidden = !promptMode();
}

// Writing from a prompt is offered only where the server has a script writer.
async function loadFeatures() {
  let offered = false;
  try {
    offered = (await api("/v1/features")).script_writer;
  } catch {
    // No answer (or no key yet): the text mode works everywhere.
  }
  $("mode").hidden = !offered;
  if (!offered) document.querySelector('input[name="mode"][value="text"]').checked = true;
  showMode();
  document.body.dataset.features = "loaded";
}

async function loadVoices() {
  try {
    const voices = await api("/v1/voices");
    const languages = new Map((voices.details ?? []).map((voice) => [voice.name, voice.language]));
    for (const voice of voices.voices) {
      const option = document.createElement("option");
      option.value = voice;
      const language = languages.get(voice);
      option.textContent = language ? `${voice} (${language})` : voice;
      $("voice").append(option);
    }
    // The languages the voices speak, offered as the language field's suggestions.
    for (const language of new Set([...languages.values()].filter(Boolean))) {
      const option = document.createElement("option");
      option.value = language;
      $("languages").append(option);
    }
  } catch (error) {
    $("voice-error").textContent = error.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("api-key").value = apiKey();
  $("api-key").addEventListener("change", () => {
    localStorage.setItem("aivideo-key", $("api-key").value.trim());
    loadFeatures();
    loadVideos();
  });
  // A page restored from history keeps the chosen mode without a change event.
  window.addEventListener("pageshow", showMode);
  showMode();
  $("make").addEventListener("submit", submitVideo);
  $("current-cancel").addEventListener("click", () => {
    act($("current").dataset.videoId, "cancel", $("current-error"));
  });
  for (const radio of document.querySelectorAll('input[name="mode"]')) {
    radio.addEventListener("change", showMode);
  }
  loadFeatures();
  loadVoices();
  loadVideos();
});
