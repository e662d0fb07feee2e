// Cramp Coach console: type or speak to the skill; hear, read and see its answers.
// The skill and its language understanding run on the server (POST /console/say); this page
// only carries words there and back, speaks the answer, and listens again when one is expected.
(function () {
  "use strict";

  var LOCALE = "en-US";
  var THEME_KEY = "cramp-coach-theme";
  var SPEECH_GUARD_SECONDS = 4; // some browsers never say they finished: give up this much after
  var QUIET_WAIT_SECONDS = 30; // before listening, wait for the voice to fall silent, at most this

  var $ = function (id) { return document.getElementById(id); };
  var form = $("say-form");
  var input = $("said");
  var sendButton = $("send");
  var micButton = $("mic");
  var micLabel = $("mic-label");
  var statusLine = $("status");
  var errorLine = $("error");
  var transcript = $("transcript");
  var answerLive = $("answer-live");
  var readAloud = $("read-aloud");

  var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition || null;
  var synth = window.speechSynthesis && window.SpeechSynthesisUtterance ? window.speechSynthesis : null;

  var conversation = null; // the id the server gave; null starts a new conversation
  var handsFree = false; // she spoke last: after an answer that waits for her, listen again
  var recognizer = null;
  var speechRun = 0; // bumped to cancel whatever is being spoken
  var busy = false;

  // -- talking to the skill ------------------------------------------------------------------

  function send(text, byVoice) {
    text = text.trim();
    if (!text || busy) {
      return;
    }
    if (!byVoice) {
      stopListening();
    }
    handsFree = Boolean(byVoice);
    stopSpeaking();
    setError("");
    setBusy(true);
    input.value = "";
    var said = addTurn("you", text);
    postJson("/console/say", { text: text, conversation: conversation }).then(
      function (answer) {
        setBusy(false);
        conversation = answer.conversation;
        showHeard(said, answer.heard);
        showAnswer(answer);
        return speak(answer.speech).then(function (finished) {
          if (finished && handsFree && answer.expects_reply) {
            listen();
          }
        });
      },
      function (problem) {
        setBusy(false);
        handsFree = false;
        setError(problem.message);
      }
    );
  }

  function postJson(path, body) {
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).then(
      function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          if (!response.ok) {
            throw new Error("The console said no: " + (json.error || "error " + response.status) + ".");
          }
          return json;
        });
      },
      function () {
        throw new Error("Cannot reach the skill. Is cramp-coach serve --console still running?");
      }
    );
  }

  function startOver() {
    stopListening();
    stopSpeaking();
    handsFree = false;
    var forgotten = conversation;
    conversation = null;
    transcript.replaceChildren();
    answerLive.textContent = "";
    setError("");
    setStatus("Started over. Say or type something to begin.");
    showScreen(null, null);
    if (forgotten) {
      postJson("/console/start-over", { conversation: forgotten }).catch(function () {});
    }
    input.focus();
  }

  // -- showing the answer ---------------------------------------------------------------------

  function addTurn(who, text) {
    var item = document.createElement("li");
    item.className = "turn " + who;
    var label = document.createElement("span");
    label.className = "who";
    label.textContent = who === "you" ? "You" : "Cramp Coach";
    var words = document.createElement("p");
    words.textContent = text;
    item.append(label, words);
    transcript.append(item);
    showLatest();
    return item;
  }

  function showHeard(item, heard) {
    if (!heard) {
      return;
    }
    var what = heard.kind === "launch" ? "opening the skill" : heard.intent || heard.kind;
    var slots = Object.keys(heard.slots || {}).map(function (name) {
      var slot = heard.slots[name];
      return name + ": " + (slot.resolved || slot.spoken);
    });
    var note = document.createElement("span");
    note.className = "heard";
    note.textContent = "understood as " + what + (slots.length ? " (" + slots.join(", ") + ")" : "");
    item.append(note);
  }

  function showAnswer(answer) {
    addTurn("coach", answer.text);
    answerLive.textContent = answer.text;
    showScreen(answer.screen, answer.card);
    if (answer.practice) {
      var practice = document.createElement("li");
      practice.className = "turn ended practice";
      practice.textContent = "(" + answer.practice + ")";
      transcript.append(practice);
      showLatest();
    }
    if (answer.session_ended) {
      var ended = document.createElement("li");
      ended.className = "turn ended";
      ended.textContent = "The skill has closed. Say or type something to start again.";
      transcript.append(ended);
      showLatest();
    }
  }

  // Scroll the transcript, never the page: she stays where she was reading or typing.
  function showLatest() {
    transcript.scrollTop = transcript.scrollHeight;
  }

  function showScreen(screen, card) {
    var step = screen && screen.kind === "stretch" ? screen.data : null;
    $("step").hidden = !step;
    if (step) {
      $("step-heading").textContent = step.heading;
      $("step-instruction").textContent = step.instruction;
      $("step-hold").textContent = step.hold || "";
      $("step-note").textContent = step.note || "";
      $("step-hint").textContent = step.hint || "";
      var percent = Math.max(0, Math.min(100, Number(step.progressPercent) || 0));
      $("step-progress").setAttribute("aria-valuenow", String(percent));
      $("step-progress").setAttribute("aria-valuetext", step.heading);
      $("step-progress-bar").style.width = percent + "%";
    }
    $("card").hidden = !card;
    if (card) {
      $("card-title").textContent = card.title;
      $("card-text").textContent = card.text;
    }
    $("display-empty").hidden = Boolean(step || card);
  }

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    form.setAttribute("aria-busy", String(value));
  }

  function setStatus(text) {
    statusLine.textContent = text;
  }

  function setError(text) {
    errorLine.textContent = text;
  }

  // -- speaking -------------------------------------------------------------------------------

  // Speak each part at its pace, with its silence after; true if it was not cut short.
  function speak(parts) {
    var run = ++speechRun;
    if (!synth || !readAloud.checked || !parts || !parts.length) {
      return Promise.resolve(true);
    }
    synth.cancel();
    setStatus("Speaking…");
    return parts.reduce(function (previous, part) {
      return previous.then(function () {
        return run === speechRun ? sayPart(part) : null;
      }).then(function () {
        return run === speechRun ? wait(part.pause_ms || 0) : null;
      });
    }, Promise.resolve()).then(function () {
      return untilQuiet(run);
    }).then(function () {
      if (run === speechRun) {
        setStatus("");
      }
      return run === speechRun;
    });
  }

  // The microphone must not hear the answer: wait until the browser has really stopped talking.
  function untilQuiet(run) {
    var deadline = Date.now() + QUIET_WAIT_SECONDS * 1000;
    return new Promise(function (resolve) {
      (function check() {
        if (run !== speechRun || !(synth.speaking || synth.pending) || Date.now() > deadline) {
          resolve();
        } else {
          setTimeout(check, 250);
        }
      })();
    });
  }

  function sayPart(part) {
    return new Promise(function (resolve) {
      var utterance = new window.SpeechSynthesisUtterance(part.text);
      utterance.lang = LOCALE;
      utterance.rate = part.rate || 1;
      var words = part.text.split(/\s+/).length;
      var guard = setTimeout(resolve, (words / 2.5 / utterance.rate + SPEECH_GUARD_SECONDS) * 1000);
      utterance.onend = utterance.onerror = function () {
        clearTimeout(guard);
        resolve();
      };
      synth.speak(utterance);
    });
  }

  function wait(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function stopSpeaking() {
    speechRun += 1;
    if (synth) {
      synth.cancel();
    }
  }

  // -- listening ------------------------------------------------------------------------------

  function listen() {
    if (!Recognition || recognizer || busy) {
      return;
    }
    stopSpeaking();
    setError("");
    var heard = false;
    var failed = false;
    recognizer = new Recognition();
    recognizer.lang = LOCALE;
    recognizer.interimResults = false;
    recognizer.maxAlternatives = 1;
    recognizer.continuous = false;
    recognizer.onresult = function (event) {
      var result = event.results[event.results.length - 1];
      var words = result && result[0] ? result[0].transcript.trim() : "";
      if (words && !heard) {
        heard = true;
        send(words, true);
      }
    };
    recognizer.onerror = function (event) {
      failed = true;
      handsFree = false;
      if (event.error === "not-allowed" || event.error === "service-not-allowed") {
        micButton.disabled = true;
        setStatus("The microphone is not allowed for this page, so type instead.");
      } else if (event.error === "no-speech") {
        setStatus("I didn't hear anything. Tap Speak to try again, or type.");
      } else if (event.error !== "aborted") {
        setStatus("Listening stopped (" + event.error + "). Tap Speak to try again, or type.");
      }
    };
    recognizer.onend = function () {
      recognizer = null;
      showListening(false);
      if (!heard && !failed) {
        handsFree = false;
        setStatus("Didn't catch that. Tap Speak to try again, or type.");
      }
    };
    try {
      recognizer.start();
    } catch (problem) {
      recognizer = null;
      setStatus("The microphone could not start. Type instead.");
      return;
    }
    showListening(true);
    setStatus("Listening…");
  }

  function stopListening() {
    if (recognizer) {
      handsFree = false;
      recognizer.abort();
    }
  }

  function showListening(on) {
    micButton.setAttribute("aria-pressed", String(on));
    micLabel.textContent = on ? "Listening" : "Speak";
  }

  // -- colours --------------------------------------------------------------------------------

  var darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var themeToggle = $("theme-toggle");

  function isDark() {
    var chosen = document.documentElement.getAttribute("data-theme");
    return chosen ? chosen === "dark" : Boolean(darkQuery && darkQuery.matches);
  }

  function showTheme() {
    themeToggle.setAttribute("aria-pressed", String(isDark()));
  }

  themeToggle.addEventListener("click", function () {
    var theme = isDark() ? "light" : "dark";
    document.documentElement.setAttribute("data-theme", theme);
    try {
      window.localStorage.setItem(THEME_KEY, theme);
    } catch (blocked) {
      // not remembered, but still switched
    }
    showTheme();
  });
  if (darkQuery && darkQuery.addEventListener) {
    darkQuery.addEventListener("change", showTheme);
  }
  showTheme();

  // -- wiring ---------------------------------------------------------------------------------

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!input.value.trim()) {
      setError("Type what you would say first.");
      input.focus();
      return;
    }
    send(input.value, false);
  });

  document.querySelectorAll(".suggestion").forEach(function (button) {
    button.addEventListener("click", function () {
      send(button.getAttribute("data-say"), false);
    });
  });

  $("start-over").addEventListener("click", startOver);

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      stopListening();
      stopSpeaking();
      setStatus("");
    }
  });

  if (Recognition) {
    micButton.hidden = false;
    micButton.addEventListener("click", function () {
      if (recognizer) {
        stopListening();
      } else {
        listen();
      }
    });
  } else {
    $("mic-note").hidden = false;
  }

  if (!synth) {
    readAloud.checked = false;
    readAloud.disabled = true;
    $("voice-note").hidden = false;
  }
  readAloud.addEventListener("change", function () {
    if (!readAloud.checked) {
      stopSpeaking();
      setStatus("");
    }
  });
})();
