// What JavaScript adds to the site; every page reads without it.
// On an episode page: a sentence, a chapter or a quote plays the episode from its second;
// #t=754 in the address (Media Fragments, w3.org/TR/media-frags) opens the page there; the
// sentence being heard is highlighted and kept in view; the speed can be changed.
// On the home page: a button copies the feed's address.
(function () {
  "use strict";

  // Seconds the page leaves the reader alone after they scroll, before following the audio again.
  var READER_SCROLL_PAUSE_MS = 5000;

  function setUpCopy() {
    document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.dataset.copy);
      var status = button.parentNode.querySelector(".copied");
      if (!field || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          if (status) status.textContent = button.dataset.copied;
        }, function () {
          field.select(); // the reader copies it themselves
        });
      });
    });
  }

  function setUpPlayer(player) {
    var sentences = Array.prototype.slice.call(document.querySelectorAll(".sentence[data-start]"));
    var starts = sentences.map(function (s) { return parseFloat(s.dataset.start); });
    var current = null;
    var readerScrolledAt = 0;

    // The time in a Media Fragment: #t=754, #t=754.2, #t=npt:754 or #t=754,800 (the start is used).
    function fragmentTime() {
      var match = /(?:^#|&)t=(?:npt:)?(\d+(?:\.\d+)?)/.exec(window.location.hash);
      return match ? parseFloat(match[1]) : null;
    }

    function whenReady(then) {
      if (player.readyState > 0) then();
      else player.addEventListener("loadedmetadata", then, { once: true });
    }

    function seek(seconds, play) {
      whenReady(function () {
        player.currentTime = seconds;
        follow(true);
      });
      if (play) {
        var playing = player.play();
        if (playing && playing.catch) playing.catch(function () {}); // a browser may refuse; the seek holds
      }
    }

    // The last sentence started at or before `seconds` (binary search: an hour has about a thousand).
    function sentenceAt(seconds) {
      var low = 0, high = starts.length - 1, found = -1;
      while (low <= high) {
        var middle = (low + high) >> 1;
        if (starts[middle] <= seconds + 0.05) { found = middle; low = middle + 1; } else { high = middle - 1; }
      }
      return found >= 0 ? sentences[found] : null;
    }

    function follow(scroll) {
      var sentence = sentenceAt(player.currentTime);
      if (sentence === current) return;
      if (current) { current.classList.remove("current"); current.removeAttribute("aria-current"); }
      current = sentence;
      if (!sentence) return;
      sentence.classList.add("current");
      sentence.setAttribute("aria-current", "true");
      var readerAway = Date.now() - readerScrolledAt < READER_SCROLL_PAUSE_MS;
      if (scroll && !readerAway) {
        sentence.scrollIntoView({ block: "center", behavior: "smooth" });
      }
    }

    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a.sentence, a.seek") : null;
      if (!link || !link.dataset.start) return;
      event.preventDefault();
      var start = parseFloat(link.dataset.start);
      // The address becomes the sentence's deep link, to copy and share.
      window.history.replaceState(null, "", "#t=" + Math.floor(start));
      readerScrolledAt = 0;
      seek(start, true);
    });

    // What the reader does to scroll; the page's own scrollIntoView fires none of these.
    ["wheel", "touchmove"].forEach(function (name) {
      window.addEventListener(name, function () { readerScrolledAt = Date.now(); }, { passive: true });
    });
    window.addEventListener("keydown", function (event) {
      if (["PageUp", "PageDown", "ArrowUp", "ArrowDown", "Home", "End", " "].indexOf(event.key) >= 0 &&
          event.target === document.body) {
        readerScrolledAt = Date.now();
      }
    });

    player.addEventListener("timeupdate", function () { follow(!player.paused); });
    player.addEventListener("seeked", function () { follow(!player.paused); });
    window.addEventListener("hashchange", function () {
      var seconds = fragmentTime();
      if (seconds !== null) seek(seconds, false);
    });
    var opened = fragmentTime();
    if (opened !== null) seek(opened, false);

    var speed = document.getElementById("speed");
    if (speed) {
      speed.closest(".speed").hidden = false;
      speed.addEventListener("change", function () { player.playbackRate = parseFloat(speed.value); });
      player.addEventListener("ratechange", function () { speed.value = String(player.playbackRate); });
    }
  }

  setUpCopy();
  var player = document.getElementById("player");
  if (player) setUpPlayer(player);
})();
