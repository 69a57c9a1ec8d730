// CNNLabData
