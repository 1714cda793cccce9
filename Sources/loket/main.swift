print("loket")
