"""Speech: voices, the engines that speak them, the speech cache and the narration."""
